/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SpotOS elastic module: members' shadows of stretched processes
 * (shadow.c), for the member's side of the protocol (hosting.c).
 */
#ifndef _ELASTIC_SHADOW_H
#define _ELASTIC_SHADOW_H

#include <linux/types.h>

#include "wire.h"

struct mm_struct;
struct page;

/**
 * struct elastic_thread_ops - what the memory layer tells threads (jump.c)
 * @shadow_fault: a fault in the shadow of (@home, @id) cannot be served
 *		here (@err; with -EEXIST the page is on @owner).  Return true
 *		when current is a thread that will take it elsewhere (the
 *		fault then returns to retry), false for the usual error.
 *		In the fault, no lock held that the thread's leave needs.
 * @shadow_gone: the shadow of (@home, @id) is being torn down: threads
 *		running in it end.  Process context, elastic_shadows_lock held.
 * @shadow_busy: whether threads run in the shadow of (@home, @id): its
 *		pages are unmapped before they are given away.  May sleep.
 * @node_dead:	member @id was declared dead.  Process context.
 * @mm_gone:	this node's process @id ended.  Process context.
 * @runs_on:	whether a thread of this node's process @id runs on member
 *		@node now (its claims of pages held here pull them there).
 *		Any context but hard irq.
 */
struct elastic_thread_ops {
	bool (*shadow_fault)(u32 home, u32 id, int err, u32 owner);
	void (*shadow_gone)(u32 home, u32 id);
	bool (*shadow_busy)(u32 home, u32 id);
	void (*node_dead)(u32 id);
	void (*mm_gone)(u32 id);
	bool (*runs_on)(u32 id, u32 node);
};

void elastic_thread_ops_set(const struct elastic_thread_ops *ops);
const struct elastic_thread_ops *elastic_thread_ops(void);
struct mm_struct *elastic_shadow_mm_get(u32 home, u32 id);
void elastic_shadow_unmap_now(u32 home, u64 slot, struct page *page);

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
