/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SpotOS elastic module: the memory layer's decisions, as pure functions
 * (policy.c), and the numbers they use.
 */
#ifndef _ELASTIC_POLICY_H
#define _ELASTIC_POLICY_H

#include <linux/pgtable.h>
#include <linux/types.h>

/* Pages per push batch: enough to fill the link while acks come back. */
#define ELASTIC_PUSH_BATCH	64
/* Slots a drain moves per round: more in flight on both links at once. */
#define ELASTIC_DRAIN_BATCH	256
/*
 * The background pusher starts within ELASTIC_BG_START pages of a local
 * limit and pushes down to ELASTIC_BG_LOW under it.
 */
#define ELASTIC_BG_START	ELASTIC_PUSH_BATCH
#define ELASTIC_BG_LOW		(4 * ELASTIC_PUSH_BATCH)
/* Window growth on sequential faults, and the most pages kept ahead. */
#define ELASTIC_PF_START	4
#define ELASTIC_PF_MAX_WINDOW	32
#define ELASTIC_PF_MAX		256

/*
 * A slot in the home's owner map is an xarray value: the owner's node id
 * in the low ELASTIC_SLOT_OWNER_BITS bits, the page table entries that
 * refer to it above them.
 */
#define ELASTIC_SLOT_OWNER_BITS	6
#define ELASTIC_SLOT_OWNER_MASK	((1UL << ELASTIC_SLOT_OWNER_BITS) - 1)

static inline unsigned long elastic_slot_pack(unsigned int owner, unsigned long refs)
{
	return (owner & ELASTIC_SLOT_OWNER_MASK) | refs << ELASTIC_SLOT_OWNER_BITS;
}

static inline unsigned int elastic_slot_unpack_owner(unsigned long v)
{
	return v & ELASTIC_SLOT_OWNER_MASK;
}

static inline unsigned long elastic_slot_unpack_refs(unsigned long v)
{
	return v >> ELASTIC_SLOT_OWNER_BITS;
}

unsigned long elastic_deficit(long avail, unsigned long below);
bool elastic_severe(unsigned long deficit, unsigned long below);
unsigned long elastic_push_amount(unsigned long rss, unsigned long limit, unsigned long deficit);
unsigned long elastic_bg_want(unsigned long rss, unsigned long limit, unsigned long deficit,
			      bool full, bool *pressure);
unsigned long elastic_kill_mark(unsigned long limit);
u64 elastic_room(long avail, unsigned long below, u64 cap, u64 hosted, bool evacuating);
u64 elastic_relieve_share(unsigned long deficit, u64 n, u64 total);
unsigned int elastic_window_next(unsigned int window, bool sequential);
bool elastic_prefetch_due(unsigned int ahead, unsigned int ready, unsigned int window);
u32 elastic_pte_owner(pte_t pte, u32 self);

#endif /* _ELASTIC_POLICY_H */
