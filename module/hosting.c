// SPDX-License-Identifier: GPL-2.0
/*
 * SpotOS elastic module: the member's side of the protocol.
 *
 * A member files the pages a home pushes (PUSH) or another member hands
 * it at the home's request (HANDOFF) in its store, maps them into the
 * process's shadow, answers PULLs straight from them, drops them on FREE,
 * hands them on when the home asks (MOVE), follows the home's LAYOUTs and
 * takes the hosting cap it is given (CAP).  All of it runs in the receiver
 * thread of the connection the message came in on (struct
 * elastic_msg_handler.rx): those threads never wait for a reply.
 *
 * A home declared dead keeps its pages here orphan_keep_ms longer (at
 * least one more detection period), in case it was only slow; a home that
 * restarted (a new incarnation in its HELLO) has its earlier life's pages
 * dropped at once.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/workqueue.h>

#include "internal.h"
#include "mem.h"
#include "member.h"
#include "node.h"
#include "shadow.h"
#include "transport.h"

/* Drop one page hosted for @home, unmapped from its shadow first. */
static void elastic_host_drop(u32 home, u64 slot)
{
	struct page *page = elastic_store_take(home, slot);

	if (!page)
		return;
	elastic_shadow_unmap(home, slot, page);
	elastic_store_free(home, page);
}

/* Drop everything hosted for @home, and its shadows. */
static void elastic_host_drop_all(u32 home)
{
	unsigned long slot = 0, n = 0;
	struct page *page;

	while ((page = elastic_store_take_next(home, &slot))) {
		elastic_shadow_unmap(home, slot, page);
		elastic_store_free(home, page);
		n++;
	}
	if (n)
		pr_warn("dropped %lu pages hosted for node %u\n", n, home);
	elastic_shadow_drop_home(home);
}

/*
 * File @n pages (@data, one after the other) for @home under @slots, to be
 * mapped at their places (@wpl, as on the wire and checked) in their
 * shadows, in order up to the first that cannot be; *@ret says why.
 * Between two pages, the messages of @c that go first are served: a PULL
 * behind this message need not wait for all its pages.  Return how many.
 */
static unsigned int elastic_host_put_n(struct elastic_conn *c, u32 home, const u64 *slots,
				       const void *wpl, const u8 *data, unsigned int n, u64 tag,
				       int *ret)
{
	struct elastic_place pl;
	struct page *pages[2];
	unsigned int i;

	*ret = 0;
	for (i = 0; i < n; i++) {
		elastic_wire_place_at(wpl, i, &pl);
		*ret = elastic_store_put(home, slots[i], data + i * PAGE_SIZE, tag, pages);
		if (*ret)
			break;
		if (pages[1]) {
			/* A repeated push: the copy it replaced goes. */
			elastic_shadow_unmap(home, slots[i], pages[1]);
			__free_page(pages[1]);
		}
		if (pages[0]) {
			elastic_shadow_map(home, slots[i], &pl, pages[0]);
			put_page(pages[0]);
		}
		elastic_rx_serve_first(c);
	}
	atomic64_add(i, &elastic_mstats.hosted_in);
	return i;
}

/* PUSH: store the pages in order, up to the first that cannot be. */
static int elastic_rx_push(struct elastic_conn *c, const struct elastic_wire_msg *m,
			   const u8 *payload)
{
	u32 src = elastic_rx_src(c);
	u64 slots[ELASTIC_WIRE_BATCH];
	unsigned int n, i;
	int ret;

	ret = elastic_wire_parse_slots(m->type, payload, m->len, slots, NULL, &n);
	if (ret)
		return ret;
	i = elastic_host_put_n(c, src, slots, payload + elastic_wire_slots_len(n),
			       payload + elastic_wire_pages_off(n), n, 0, &ret);
	elastic_ack(src, m->seq, ret, i);
	return 0;
}

/*
 * PULL: answer each slot, the i-th on the PULL's sequence number + i,
 * straight from the hosted page (a reference keeps it while it is sent,
 * should a FREE or the home's death drop it meanwhile), all the replies in
 * one send: full-sized segments, not one per page.
 */
static noinline_for_stack int elastic_rx_pull(struct elastic_conn *c,
					      const struct elastic_wire_msg *m,
					      const u8 *payload)
{
	struct elastic_wire_reply r[ELASTIC_WIRE_BATCH];
	struct page *pages[ELASTIC_WIRE_BATCH];
	u64 slots[ELASTIC_WIRE_BATCH];
	u32 src = elastic_rx_src(c);
	unsigned int n, i;
	int ret;

	ret = elastic_wire_parse_slots(m->type, payload, m->len, slots, NULL, &n);
	if (ret)
		return ret;
	for (i = 0; i < n; i++) {
		pages[i] = elastic_store_get(src, slots[i]);
		if (pages[i])
			elastic_shadow_unmap_now(src, slots[i], pages[i]);
		r[i] = (struct elastic_wire_reply){
			.req_seq = cpu_to_be64(m->seq + i),
			.status = cpu_to_be32(pages[i] ? 0 : ENOENT),
		};
	}
	/* Pages from alloc_page(GFP_KERNEL) are never highmem. */
	elastic_rx_reply_each(c, ELASTIC_MSG_PULL_REPLY, n, sizeof(r[0]), r, pages);
	for (i = 0; i < n; i++)
		if (pages[i])
			put_page(pages[i]);
	return 0;
}

/* FREE: drop the copies, serving PULLs that arrived meanwhile between two. */
static int elastic_rx_free(struct elastic_conn *c, const struct elastic_wire_msg *m,
			   const u8 *payload)
{
	u64 slots[ELASTIC_WIRE_BATCH];
	unsigned int n, i;
	int ret;

	ret = elastic_wire_parse_slots(m->type, payload, m->len, slots, NULL, &n);
	if (ret)
		return ret;
	for (i = 0; i < n; i++) {
		elastic_host_drop(elastic_rx_src(c), slots[i]);
		elastic_rx_serve_first(c);
	}
	return 0;
}

/*
 * MOVE: a home asks this node to hand some of its pages to @to.  They go
 * in one HANDOFF, in order up to the first this node lacks, straight from
 * the hosted pages (references keep them while they are sent); the copies
 * stay until the home, told by @to that it holds them, sends FREE.  So a
 * repeated MOVE hands the same pages again, and a lost message loses none.
 */
static int elastic_rx_move(struct elastic_conn *c, const struct elastic_wire_msg *m,
			   const u8 *payload)
{
	struct elastic_wire_handoff h = { .req_seq = cpu_to_be64(m->seq) };
	u32 home = elastic_rx_src(c), to;
	u64 slots[ELASTIC_WIRE_BATCH];
	/* Off the stack: the frame holds a batch of slots already. */
	struct {
		unsigned long slots[ELASTIC_WIRE_BATCH];
		struct page *pages[ELASTIC_WIRE_BATCH];
		struct elastic_place pl[ELASTIC_WIRE_BATCH];
		struct elastic_wire_place wpl[ELASTIC_WIRE_BATCH];
	} *x;
	struct page *page;
	unsigned int i, k, n;
	int ret;

	ret = elastic_wire_parse_move(payload, m->len, &to, slots, &n);
	if (ret)
		return ret;
	if (to == home || to == elastic_node_id())
		return -EPROTO;
	x = kmalloc(sizeof(*x), GFP_KERNEL);
	if (!x) {
		elastic_ack(home, m->seq, -ENOMEM, 0);
		return 0;
	}
	h.home = cpu_to_be32(home);
	for (k = 0; k < n; k++) {
		page = elastic_store_get(home, slots[k]);
		if (!page)
			break;
		if (elastic_shadow_place(home, slots[k], &x->pl[k])) {
			put_page(page);
			break;
		}
		elastic_shadow_unmap_now(home, slots[k], page);
		x->slots[k] = slots[k];
		x->pages[k] = page;
		elastic_wire_place_set(&x->wpl[k], &x->pl[k]);
	}
	ret = -ENOENT;
	if (k) {
		/* The layouts first, on the same connection. */
		elastic_shadow_forward(home, to, x->pl, k);
		h.status = cpu_to_be32(k < n ? ENOENT : 0);
		ret = elastic_send_slots_after(to, ELASTIC_MSG_HANDOFF, elastic_next_seq(), &h,
					       sizeof(h), x->slots, k, x->wpl, x->pages, false);
		if (ret) {
			atomic64_inc(&elastic_mstats.send_errors);
			ret = -EHOSTUNREACH;
		}
	}
	for (i = 0; i < k; i++)
		put_page(x->pages[i]);
	kfree(x);
	if (ret)
		elastic_ack(home, m->seq, ret, 0);
	else
		atomic64_add(k, &elastic_mstats.handed_off);
	return 0;
}

/*
 * HANDOFF: pages of a home that member @src hands to this node at the
 * home's request, filed as if the home had pushed them, and acknowledged
 * to the home on its MOVE's sequence number (the stored count, and why the
 * next was not).  Pages of a node it does not know, this node could never
 * free: malformed.
 */
static int elastic_rx_handoff(struct elastic_conn *c, const struct elastic_wire_msg *m,
			      const u8 *payload)
{
	const u8 *w = payload + sizeof(struct elastic_wire_handoff);
	u64 slots[ELASTIC_WIRE_BATCH];
	u32 src = elastic_rx_src(c), home;
	unsigned int n, i;
	u64 req_seq;
	int ret, status;

	ret = elastic_wire_parse_handoff(payload, m->len, &home, &status, &req_seq, slots, NULL,
					 &n);
	if (ret)
		return ret;
	if (home == src || home == elastic_node_id() || !elastic_node_known(home))
		return -EPROTO;
	i = elastic_host_put_n(c, home, slots, w + elastic_wire_slots_len(n),
			       w + elastic_wire_pages_off(n), n, req_seq, &ret);
	atomic64_add(i, &elastic_mstats.handed_in);
	elastic_ack(home, req_seq, ret ?: status, i);
	return 0;
}

/*
 * LAYOUT: a home's (or one a member forwards with a HANDOFF of that home's
 * pages): the shadow follows it.  A home this node does not know, or this
 * node itself, is malformed.
 */
static int elastic_rx_layout(struct elastic_conn *c, const struct elastic_wire_msg *m,
			     const u8 *payload)
{
	u32 src = elastic_rx_src(c), home, id;
	struct elastic_range *r;
	unsigned int n;
	u64 gen;
	int ret;

	r = kvmalloc_array(ELASTIC_WIRE_LAYOUT_MAX, sizeof(*r), GFP_KERNEL);
	if (!r) {
		/* Not the sender's fault: the shadow misses this version. */
		atomic64_inc(&elastic_mstats.shadow_errors);
		return 0;
	}
	ret = elastic_wire_parse_layout(payload, m->len, &home, &id, &gen, r, &n);
	if (!ret && (home == elastic_node_id() || (home != src && !elastic_node_known(home))))
		ret = -EPROTO;
	if (!ret)
		elastic_shadow_layout(home, id, gen, r, n);
	kvfree(r);
	return ret;
}

/* CAP: pages hosted beyond a lowered cap stay; new pushes are refused. */
static int elastic_rx_cap(struct elastic_conn *c, const struct elastic_wire_msg *m,
			  const u8 *payload)
{
	u32 src = elastic_rx_src(c);
	u64 cap;
	int ret;

	ret = elastic_wire_parse_cap(payload, m->len, &cap);
	if (ret)
		return ret;
	WRITE_ONCE(elastic_mparams.max_hosted_pages, cap);
	atomic64_inc(&elastic_mstats.caps_set);
	pr_info("node %u set this node's hosting cap to %llu pages\n", src, cap);
	elastic_ack(src, m->seq, 0, 0);
	return 0;
}

static const struct elastic_msg_handler elastic_hosting_handlers[] = {
	[ELASTIC_MSG_PUSH] = { .rx = elastic_rx_push },
	/*
	 * Nothing queued before a PULL can change its answer (the home pulls
	 * a slot only once its PUSH or HANDOFF was acknowledged, never after
	 * its FREE), and it should not wait for a PUSH of 32 pages.
	 */
	[ELASTIC_MSG_PULL] = { .rx = elastic_rx_pull, .flags = ELASTIC_RX_FIRST },
	[ELASTIC_MSG_FREE] = { .rx = elastic_rx_free },
	[ELASTIC_MSG_CAP] = { .rx = elastic_rx_cap },
	[ELASTIC_MSG_MOVE] = { .rx = elastic_rx_move },
	[ELASTIC_MSG_HANDOFF] = { .rx = elastic_rx_handoff },
	[ELASTIC_MSG_LAYOUT] = { .rx = elastic_rx_layout },
};

/* ---- homes that die or restart ---- */

/*
 * Pages hosted for a node declared dead are dropped only if it is still
 * dead orphan_keep_ms later (at least one more detection period): a home
 * that is merely slow (a loaded VM, or one deep in reclaim, can be silent
 * for seconds) and comes back must find its pages.
 */
static void elastic_orphans_fn(struct work_struct *work)
{
	struct elastic_member_host *host = container_of(to_delayed_work(work),
							 struct elastic_member_host, orphans);
	u32 home = elastic_member_of_host(host);

	if (!elastic_peer_alive(home))
		elastic_host_drop_all(home);
}

/**
 * elastic_hosting_dead - member @id was declared dead
 * @id: node id
 *
 * The pages this node hosts for it are orphans if its processes died with
 * it: they are dropped after orphan_keep_ms (at least one more detection
 * period) unless it comes back.
 */
void elastic_hosting_dead(u32 id)
{
	unsigned long delay = max(elastic_dead_after(),
				  msecs_to_jiffies(READ_ONCE(elastic_mparams.orphan_keep_ms)));

	if (elastic_node_id_valid(id))
		mod_delayed_work(system_wq, &elastic_members[id].host.orphans, delay);
}

/**
 * elastic_hosting_restarted - member @id is back as a new incarnation
 * @id: node id
 *
 * What this node hosts for it belongs to processes that died with its
 * earlier life: the new one never frees those slots, and allocates the
 * same numbers anew.  They go now, before the new life's first message.
 * Pages of this node's processes that it held are lost: pulls of them
 * fail with SIGBUS.
 */
void elastic_hosting_restarted(u32 id)
{
	if (!elastic_node_id_valid(id))
		return;
	atomic64_inc(&elastic_mstats.restarts);
	pr_warn("node %u restarted: %ld pages it held for this node are lost\n", id,
		elastic_slot_held(id));
	cancel_delayed_work(&elastic_members[id].host.orphans);
	elastic_host_drop_all(id);
}

/** elastic_hosting_init - handle the member's messages (at load) */
void elastic_hosting_init(void)
{
	int i;

	for (i = 0; i <= ELASTIC_MAX_NODE_ID; i++)
		INIT_DELAYED_WORK(&elastic_members[i].host.orphans, elastic_orphans_fn);
	for (i = 0; i < ARRAY_SIZE(elastic_hosting_handlers); i++)
		if (elastic_hosting_handlers[i].rx)
			elastic_msg_register(i, &elastic_hosting_handlers[i]);
}

/** elastic_hosting_exit - at unload, after every connection ended */
void elastic_hosting_exit(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(elastic_hosting_handlers); i++)
		if (elastic_hosting_handlers[i].rx)
			elastic_msg_unregister(i);
	for (i = 0; i <= ELASTIC_MAX_NODE_ID; i++)
		cancel_delayed_work_sync(&elastic_members[i].host.orphans);
}
