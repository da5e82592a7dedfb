// SPDX-License-Identifier: GPL-2.0
/*
 * SpotOS elastic module: the home's side of a member's first touch.
 *
 * A page no node has yet must be created exactly once.  A thread on a
 * member that touches a page its shadow does not map asks the home
 * (CLAIM, shadow_claim.c).  The home decides in a worker (it takes the
 * process's push_lock and mmap_lock, and then waits for the member):
 * elastic_claim_entry() turns a none PTE, under the PTE lock, into an
 * entry naming the member with a new slot, marked being pulled so that the
 * home's own faults on it wait; the CLAIM_REPLY grants the slot and is
 * itself a request, repeated until the member acknowledges once it has
 * filed a zeroed page under the slot.  If the page exists (present or
 * swapped at the home, or an entry naming a member) the reply says where.
 * A process's first touches at the home need no message: the home's own
 * do_anonymous_page() and elastic_claim_entry() meet under the same PTE
 * lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/elastic.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/swap.h>
#include <linux/swapops.h>

#include "internal.h"
#include "mem.h"
#include "member.h"
#include "node.h"
#include "shadow.h"
#include "transport.h"

/* Claims a home handles at once at most; each is a work item. */
#define ELASTIC_CLAIMS_MAX	256
static atomic_t elastic_claims_pending = ATOMIC_INIT(0);

/**
 * struct elastic_claim - a member's CLAIM, handled at the home
 * @work:	elastic_claim_fn(), on elastic_wq
 * @src:	the member
 * @seq:	the CLAIM's sequence number
 * @pl:	the page claimed
 * @grant_seq:	the granting reply's sequence number (a request)
 * @slot:	the slot granted
 */
struct elastic_claim {
	struct work_struct work;
	u32 src;
	u64 seq;
	struct elastic_place pl;
	u64 grant_seq;
	u32 slot;
};

static int elastic_claim_reply_send(u32 to, u64 seq, u64 req_seq, int status, u32 owner,
				    u64 slot, const struct elastic_place *pl)
{
	struct elastic_wire_claim_reply r = {
		.req_seq = cpu_to_be64(req_seq),
		.status = cpu_to_be32(-status),
		.owner = cpu_to_be32(owner),
		.slot = cpu_to_be64(slot),
	};

	elastic_wire_place_set(&r.place, pl);
	return elastic_peer_send(to, ELASTIC_MSG_CLAIM_REPLY, seq, &r, sizeof(r), NULL, 0);
}

static int elastic_grant_send(void *arg, u64 seq)
{
	struct elastic_claim *c = arg;

	return elastic_claim_reply_send(c->src, seq, c->seq, 0, c->src, c->slot, &c->pl);
}

/*
 * Decide a claim under the process's push_lock (no unstretch meanwhile) and
 * mmap_lock: a page no node has becomes an entry naming the member, busy
 * until the member says it holds the page.  Return 0 with @c->slot, or
 * -errno (-EEXIST with *@owner).
 */
static int elastic_claim_decide(struct elastic_mm *em, struct elastic_claim *c, u32 *owner)
{
	struct mm_struct *mm = em->mm;
	struct vm_area_struct *vma;
	pte_t cur;
	int ret;

	vma = vma_lookup(mm, c->pl.addr);
	if (mm->elastic != em || em->unstretching)
		return -ESRCH;
	if (!vma || !elastic_vma_claimable(vma))
		return -EFAULT;
	if (elastic_slot_alloc(c->src, &c->slot))
		return -ENOMEM;
	/* Faults here on the slot wait until the member holds the page. */
	ret = elastic_pulling_add(c->slot, GFP_KERNEL);
	if (!ret) {
		ret = elastic_claim_entry(vma, c->pl.addr, make_elastic_entry(c->src, c->slot),
					  &cur);
		if (ret)
			elastic_pulling_del(c->slot);
	}
	if (ret) {
		elastic_slot_put(c->slot);
		if (ret == -EEXIST)
			*owner = elastic_pte_owner(cur, elastic_node_id());
		return ret == -EEXIST ? ret : -ENOMEM;
	}
	atomic_long_inc(&em->remote[c->src]);
	return 0;
}

/* Whether a thread of the claimed page's process runs on the claiming member. */
static bool elastic_claim_for_thread(const struct elastic_claim *c)
{
	const struct elastic_thread_ops *ops = elastic_thread_ops();

	return ops && ops->runs_on(c->pl.mm, c->src);
}

/*
 * A member's thread touches a page of one of this node's processes that
 * the member does not hold: the home decides who has it.  In a worker: it
 * takes the process's locks and waits for the member's acknowledgment,
 * which the receiver that queued it must stay free to deliver.
 */
static void elastic_claim_fn(struct work_struct *work)
{
	struct elastic_claim *c = container_of(work, struct elastic_claim, work);
	struct elastic_mm *em = elastic_mm_by_id(c->pl.mm);
	struct elastic_req req;
	u32 owner = 0;
	int ret = -ESRCH;

	if (em && mmget_not_zero(em->mm)) {
		mutex_lock(&em->push_lock);
		mmap_read_lock(em->mm);
		ret = elastic_claim_decide(em, c, &owner);
		mmap_read_unlock(em->mm);
		mutex_unlock(&em->push_lock);
		/*
		 * A page here, wanted by a thread that runs on the member: it
		 * goes there (a pull by the member), unless the member is full.
		 */
		if (ret == -EEXIST && owner == elastic_node_id() && elastic_claim_for_thread(c) &&
		    elastic_push_pages(em, c->src, c->pl.addr, 1) == 1) {
			atomic64_inc(&elastic_mstats.claims_pushed);
			owner = c->src;
		}
		mmput(em->mm);
	}
	if (em)
		elastic_mm_put(em);
	if (ret) {
		atomic64_inc(&elastic_mstats.claims_refused);
		elastic_claim_reply_send(c->src, elastic_next_seq(), c->seq, ret, owner, 0, &c->pl);
		goto out;
	}
	atomic64_inc(&elastic_mstats.claims_granted);
	/* Repeated until the member holds the page (or is declared dead). */
	elastic_req_add(&req, c->src, NULL, &c->grant_seq);
	req.npages = 1;
	elastic_grant_send(c, c->grant_seq);
	ret = elastic_req_wait(&req, elastic_grant_send, c);
	if (ret)
		pr_warn_ratelimited("node %u took no page at %#llx of process %u (%d): faults there fail\n",
				    c->src, c->pl.addr, c->pl.mm, ret);
	elastic_pulling_del(c->slot);
	elastic_pulling_wake();
out:
	kfree(c);
	atomic_dec(&elastic_claims_pending);
}

static int elastic_rx_claim(struct elastic_conn *conn, const struct elastic_wire_msg *m,
			    const u8 *payload)
{
	u32 src = elastic_rx_src(conn);
	struct elastic_claim *c;
	struct elastic_place pl;
	int ret;

	ret = elastic_wire_parse_claim(payload, m->len, &pl);
	if (ret)
		return ret;
	c = NULL;
	if (atomic_inc_return(&elastic_claims_pending) <= ELASTIC_CLAIMS_MAX)
		c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c) {
		atomic_dec(&elastic_claims_pending);
		atomic64_inc(&elastic_mstats.claims_refused);
		elastic_claim_reply_send(src, elastic_next_seq(), m->seq, -ENOMEM, 0, 0, &pl);
		return 0;
	}
	c->src = src;
	c->seq = m->seq;
	c->pl = pl;
	INIT_WORK(&c->work, elastic_claim_fn);
	queue_work(elastic_wq, &c->work);
	return 0;
}

static const struct elastic_msg_handler elastic_claim_handler = {
	.rx = elastic_rx_claim,
};

/** elastic_claim_init - handle members' claims (at load) */
void elastic_claim_init(void)
{
	elastic_msg_register(ELASTIC_MSG_CLAIM, &elastic_claim_handler);
}

/** elastic_claim_exit - at unload, after every connection ended */
void elastic_claim_exit(void)
{
	elastic_msg_unregister(ELASTIC_MSG_CLAIM);
}
