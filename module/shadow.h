/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SpotOS elastic module: members' shadows of stretched processes
 * (shadow.c), for the member's side of the protocol (hosting.c).
 */
#ifndef _ELASTIC_SHADOW_H
#define _ELASTIC_SHADOW_H

#include <linux/types.h>

#include "wire.h"

struct page;

int elastic_shadow_init(void);
void elastic_shadow_exit(void);
int elastic_shadow_poke(u32 home, u32 id, u64 addr, u64 val);
int elastic_shadow_layout(u32 home, u32 id, u64 gen, const struct elastic_range *r,
			  unsigned int n);
void elastic_shadow_map(u32 home, u64 slot, const struct elastic_place *pl, struct page *page);
void elastic_shadow_unmap(u32 home, u64 slot, struct page *page);
int elastic_shadow_place(u32 home, u64 slot, struct elastic_place *pl);
void elastic_shadow_forward(u32 home, u32 to, const struct elastic_place *pl, unsigned int n);
void elastic_shadow_drop_home(u32 home);
void elastic_shadow_set_place(u32 home, u64 slot, const struct elastic_place *pl);

#endif /* _ELASTIC_SHADOW_H */
