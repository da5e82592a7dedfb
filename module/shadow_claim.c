// SPDX-License-Identifier: GPL-2.0
/*
 * SpotOS elastic module: a member's first touch of a page in a shadow
 * (CLAIM).  Another node may have the page, or create it at the same time,
 * so the member never makes a zero page of its own: the home decides.
 * Granted, the page is filed here under the slot the home gave it;
 * refused, the fault learns which node has it.
 *
 * A claim waits for the home's answer.  The fault that asks releases the
 * shadow's mmap_lock first when it may be retried (elastic_shadow_fault()
 * in shadow_vm.c), and leaves what it learnt in the shadow's @claims for
 * its retry (elastic_claim_note(), elastic_claim_noted()).
 *
 * Contexts: elastic_shadow_claim() in process context (a fault), may
 * sleep; the CLAIM_REPLY handler in the receiver thread.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "internal.h"
#include "mem.h"
#include "node.h"
#include "shadow_priv.h"
#include "transport.h"

/*
 * File @page (zeroed by the claimer) as granted by a CLAIM_REPLY.  Its
 * place is remembered; the claimer's fault (or its retry) maps it.  A
 * repeated grant finds the page filed already.
 */
static int elastic_shadow_file_claimed(u32 home, u64 slot, const struct elastic_place *pl,
				       struct page *page)
{
	int ret = elastic_store_put_page(home, slot, page);

	if (!ret) {
		atomic64_inc(&elastic_mstats.claimed);
		elastic_shadow_set_place(home, slot, pl);
	}
	return ret;
}

/* The home's answer to a CLAIM of this node. */
static int elastic_rx_claim_reply(struct elastic_conn *c, const struct elastic_wire_msg *m,
				  const u8 *payload)
{
	u32 src = elastic_rx_src(c), self = elastic_node_id();
	struct page *page = NULL;
	struct elastic_place pl;
	struct elastic_req *req;
	int ret, status;
	u64 req_seq, slot;
	u32 owner;

	ret = elastic_wire_parse_claim_reply(payload, m->len, &req_seq, &status, &owner, &slot,
					     &pl);
	if (ret)
		return ret;
	if (!status && owner != self)
		return -EPROTO;
	req = elastic_req_lock_find(req_seq);
	if (req && req->claim && req->peer == src) {
		/* The claimer's zeroed page; the request stays until it is filed. */
		if (!status) {
			page = req->page;
			req->page = NULL;
		}
		req->status = status;
		req->owner = owner;
		req->slot = slot;
	} else {
		req = NULL;
	}
	elastic_req_unlock();
	if (!status) {
		/* A grant nobody waits for files nothing, unless it repeats one. */
		if (page)
			ret = elastic_shadow_file_claimed(src, slot, &pl, page);
		else
			ret = elastic_store_has(src, slot) ? 0 : -ENOENT;
		elastic_ack(src, m->seq, ret, ret ? 0 : 1);
	}
	if (!req) {
		atomic64_inc(&elastic_mstats.stale_replies);
		return 0;
	}
	/* Unless the claimer gave up meanwhile (then its entry is gone). */
	if (elastic_req_lock_find(req_seq) == req) {
		if (!status && ret)
			req->status = ret;
		elastic_req_complete(req);
	}
	elastic_req_unlock();
	return 0;
}

/**
 * struct elastic_claim_msg - a CLAIM being asked
 * @home:	the node asked
 * @w:		the page claimed, as on the wire
 */
struct elastic_claim_msg {
	u32 home;
	struct elastic_wire_place w;
};

static int elastic_claim_send(void *arg, u64 seq)
{
	struct elastic_claim_msg *cm = arg;

	return elastic_peer_send(cm->home, ELASTIC_MSG_CLAIM, seq, &cm->w, sizeof(cm->w), NULL, 0);
}

/**
 * elastic_shadow_claim - may this node create a page that no node has?
 * @home: the process's home, which decides
 * @pl: the page's place
 * @owner: set to the node that has it, when it exists
 * @slot: set to its slot at @home, when granted
 *
 * Asks @home (CLAIM) and waits; the caller holds no mmap_lock when it can
 * help it.  Granted, the page is filed here, zeroed, under the slot the
 * home gave it (by the CLAIM_REPLY's receiver).  A repeated claim of a
 * page granted here before (its reply had been lost) finds it filed.
 *
 * Return: 0, or -EEXIST when the page exists on *@owner, -EFAULT when the
 * process has no private anonymous memory there, -ESRCH when it is gone,
 * -EHOSTDOWN when @home is dead, -ENOMEM.
 */
int elastic_shadow_claim(u32 home, const struct elastic_place *pl, u32 *owner, u64 *slot)
{
	struct elastic_claim_msg cm = { .home = home };
	struct elastic_req req;
	struct page *page;
	u64 seq;
	int ret;

	page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!page)
		return -ENOMEM;
	elastic_wire_place_set(&cm.w, pl);
	elastic_req_init(&req, home, page);
	req.claim = true;
	seq = elastic_next_seq();
	elastic_req_insert(&req, seq);
	if (elastic_claim_send(&cm, seq))
		atomic64_inc(&elastic_mstats.send_errors);
	ret = elastic_req_wait(&req, elastic_claim_send, &cm);
	/* Not taken by a granting reply: ours to free. */
	if (req.page)
		__free_page(req.page);
	*owner = req.owner;
	*slot = req.slot;
	if (ret == -EEXIST && *owner == elastic_node_id())
		ret = elastic_shadow_slot_of(home, pl, slot);
	return ret;
}

/*
 * A note's value: a slot granted (even), or an error (odd).  A slot is at
 * most ELASTIC_WIRE_SLOT_MAX (40 bits), far below what an xarray value
 * holds shifted by one.
 */
static void *elastic_claim_val(int err, u64 slot)
{
	return xa_mk_value(err ? (unsigned long)-err << 1 | 1 : (unsigned long)slot << 1);
}

/**
 * elastic_claim_note - leave a claim's outcome for the fault's retry
 * @s: the shadow
 * @addr: the page's address
 * @err: 0 (granted, or the page is here), or the claim's error
 * @slot: the page's slot when granted
 *
 * Called without the shadow's mmap_lock, after the wait.  A note nobody
 * takes goes with the shadow, or with the next fresh fault at @addr.
 */
void elastic_claim_note(struct elastic_shadow *s, unsigned long addr, int err, u64 slot)
{
	if (xa_is_err(xa_store(&s->claims, addr >> PAGE_SHIFT, elastic_claim_val(err, slot),
			       GFP_KERNEL)))
		atomic64_inc(&elastic_mstats.shadow_errors);
}

/**
 * elastic_claim_noted - take the outcome an earlier try of a fault left
 * @s: the shadow
 * @addr: the page's address
 * @err: set to the claim's error, or 0
 * @slot: set to the page's slot when granted
 *
 * Return: true if there was a note (it is gone now).
 */
bool elastic_claim_noted(struct elastic_shadow *s, unsigned long addr, int *err, u64 *slot)
{
	void *v = xa_erase(&s->claims, addr >> PAGE_SHIFT);
	unsigned long x;

	if (!v)
		return false;
	x = xa_to_value(v);
	*err = x & 1 ? -(int)(x >> 1) : 0;
	*slot = x & 1 ? 0 : x >> 1;
	return true;
}

static const struct elastic_msg_handler elastic_claim_reply_handler = {
	.rx = elastic_rx_claim_reply,
};

void elastic_shadow_claim_init(void)
{
	elastic_msg_register(ELASTIC_MSG_CLAIM_REPLY, &elastic_claim_reply_handler);
}

void elastic_shadow_claim_exit(void)
{
	elastic_msg_unregister(ELASTIC_MSG_CLAIM_REPLY);
}
