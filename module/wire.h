/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SpotOS elastic module: the wire protocol between nodes.
 *
 * Every message is a fixed header followed by len bytes of payload, all
 * integers big-endian.  A receiver checks every field before it acts on a
 * message; anything malformed or unexpected closes the connection and is
 * counted (elastic_wire_parse_hdr() and the per-type payload checks).
 */
#ifndef _ELASTIC_WIRE_H
#define _ELASTIC_WIRE_H

#include <asm/byteorder.h>
#include <linux/bits.h>
#include <linux/string.h>
#include <linux/types.h>

#define ELASTIC_WIRE_MAGIC	0x53504f53	/* "SPOS" */
/*
 * 2: PUSH, PULL and FREE carry up to ELASTIC_WIRE_BATCH slots each.
 * 3: MOVE and HANDOFF: a page moves from one member to another directly;
 *    HELLO names the sender's incarnation.
 * 4: PUSH and HANDOFF say where each page lives in its process (struct
 *    elastic_wire_place); LAYOUT describes a process's address space, so
 *    that members keep a shadow of it with their pages mapped; CLAIM and
 *    CLAIM_REPLY: the home arbitrates a member's first touch of a page.
 * 5: a PULL is answered on the connection it came in on (the node that
 *    sent it parses PULL_REPLYs on its own connection too).
 * 6: HEARTBEAT says how many pages the sender can still take for others
 *    (struct elastic_wire_heartbeat), which its homes count in commit
 *    accounting.
 */
#define ELASTIC_WIRE_VERSION	6
/* Pages travel as 4 KiB: the page size of every SpotOS architecture. */
#define ELASTIC_WIRE_PAGE	4096
/*
 * Slots (and for PUSH, pages) in one message at most.  One message per
 * page cost five messages per page moved and made the home's CPU the
 * bottleneck; 32 pages (128 KiB) keep a pull that queues behind a push
 * waiting less than a millisecond on a 1 Gbit/s link.
 */
#define ELASTIC_WIRE_BATCH	32
/* The largest message: a full HANDOFF (see struct elastic_wire_handoff). */
#define ELASTIC_WIRE_MAX_PAYLOAD	\
	(16 + 8 + ELASTIC_WIRE_BATCH * (8 + 16 + ELASTIC_WIRE_PAGE))

/**
 * struct elastic_wire_hdr - header of every message, as on the wire
 * @magic:	ELASTIC_WIRE_MAGIC
 * @version:	ELASTIC_WIRE_VERSION
 * @type:	an enum elastic_wire_type value
 * @flags:	0; reserved for later versions, refused when set
 * @len:	payload bytes that follow, at most ELASTIC_WIRE_MAX_PAYLOAD,
 *		exactly the type's size for fixed-size types
 * @src:	sender's node id, 1..ELASTIC_MAX_NODE_ID
 * @seq:	sender's sequence number, to match replies to requests
 */
struct elastic_wire_hdr {
	__be32 magic;
	u8 version;
	u8 type;
	__be16 flags;
	__be32 len;
	__be32 src;
	__be64 seq;
} __packed;

enum elastic_wire_type {
	ELASTIC_MSG_HELLO = 1,		/* first message on a connection */
	ELASTIC_MSG_HEARTBEAT,		/* liveness, both directions */
	ELASTIC_MSG_PUSH,		/* home -> owner: slots, pages; stored */
	ELASTIC_MSG_PUSH_ACK,		/* reply to PUSH or CAP: status, stored */
	ELASTIC_MSG_PULL,		/* home -> owner: slots; one reply each */
	ELASTIC_MSG_PULL_REPLY,		/* owner -> home: reply, status[, page] */
	ELASTIC_MSG_FREE,		/* home -> owner: slots; dropped */
	ELASTIC_MSG_CAP,		/* set the receiver's hosting cap; acked */
	ELASTIC_MSG_EVACUATE,		/* owner -> home: move your pages off me */
	ELASTIC_MSG_RELIEVE,		/* owner -> home: move some pages off me */
	ELASTIC_MSG_MOVE,		/* home -> owner: hand these pages to a node */
	ELASTIC_MSG_HANDOFF,		/* owner -> new owner: a home's pages; stored */
	ELASTIC_MSG_LAYOUT,		/* a process's address space, for its shadow */
	ELASTIC_MSG_CLAIM,		/* member -> home: may I create this page? */
	ELASTIC_MSG_CLAIM_REPLY,	/* home -> member: yes (slot), or who has it */
	ELASTIC_MSG_JUMP,		/* a thread's user state: run it here */
	ELASTIC_MSG_JUMP_ACK,		/* reply to JUMP: running, or refused */
	__ELASTIC_MSG_MAX,
};

/**
 * struct elastic_wire_hello - payload of ELASTIC_MSG_HELLO
 * @dst:	node id the sender believes it is talking to
 * @proto_min:	lowest protocol version the sender speaks
 * @incarnation: the sender's life: a random non-zero number drawn when its
 *		module loads.  A new one under a known id means the node
 *		restarted: what the receiver hosts for it belongs to processes
 *		that died with its earlier life.
 */
struct elastic_wire_hello {
	__be32 dst;
	__be32 proto_min;
	__be64 incarnation;
} __packed;

/**
 * struct elastic_wire_heartbeat - payload of ELASTIC_MSG_HEARTBEAT
 * @room:	pages the sender can still take for other nodes' processes
 *		(under its hosting cap, with its memory to spare), any value
 */
struct elastic_wire_heartbeat {
	__be64 room;
} __packed;

/* Slots are numbered from 1 up to this (see ELASTIC_SLOT_BITS). */
#define ELASTIC_WIRE_SLOT_MAX	((1ULL << 40) - 1)

/**
 * struct elastic_wire_slots - start of PUSH, PULL and FREE payloads
 * @count:	slots that follow, 1..ELASTIC_WIRE_BATCH
 * @zero:	0; reserved
 * @slot:	the pages' slots at their home, each 1..ELASTIC_WIRE_SLOT_MAX
 *		(the sender of the message is the home).  A PUSH has @count
 *		struct elastic_wire_place after them, then @count pages, in
 *		the same order.  The owner answers a
 *		PULL with one PULL_REPLY per slot, the i-th (from 0) carrying
 *		the PULL's sequence number plus i, and a PUSH with one
 *		PUSH_ACK saying how many of its pages it stored.
 */
struct elastic_wire_slots {
	__be32 count;
	__be32 zero;
	__be64 slot[];
} __packed;

/* Bytes of a PUSH, PULL or FREE payload before a PUSH's places. */
static inline size_t elastic_wire_slots_len(unsigned int count)
{
	return sizeof(struct elastic_wire_slots) + count * sizeof(__be64);
}

/* Processes of one home are numbered 1..ELASTIC_WIRE_MM_MAX. */
#define ELASTIC_WIRE_MM_MAX	0xffffU
/* User addresses are below this on every SpotOS architecture (57 bits). */
#define ELASTIC_WIRE_ADDR_END	BIT_ULL(57)

/**
 * struct elastic_wire_place - where a page of a PUSH or HANDOFF lives
 * @mm:		its process at the home: 1..ELASTIC_WIRE_MM_MAX, as in LAYOUT
 * @zero:	0; reserved
 * @addr:	its address there: page-aligned, below ELASTIC_WIRE_ADDR_END
 *
 * The receiver maps the page at @addr in its shadow of @mm, when @addr
 * is in the shadow's layout (a page is kept, unmapped, otherwise).
 */
struct elastic_wire_place {
	__be32 mm;
	__be32 zero;
	__be64 addr;
} __packed;

/**
 * struct elastic_place - a struct elastic_wire_place in host order
 * @mm:		process
 * @addr:	address
 */
struct elastic_place {
	u32 mm;
	u64 addr;
};

static inline void elastic_wire_place_set(struct elastic_wire_place *w,
					  const struct elastic_place *pl)
{
	w->mm = cpu_to_be32(pl->mm);
	w->zero = 0;
	w->addr = cpu_to_be64(pl->addr);
}

/* The @i-th of the places at @w, checked already by the parser. */
static inline void elastic_wire_place_at(const void *w, unsigned int i, struct elastic_place *pl)
{
	struct elastic_wire_place p;

	memcpy(&p, (const u8 *)w + i * sizeof(p), sizeof(p));
	pl->mm = be32_to_cpu(p.mm);
	pl->addr = be64_to_cpu(p.addr);
}

/* Offset of the pages in a PUSH's payload (a HANDOFF's, after its own fields). */
static inline size_t elastic_wire_pages_off(unsigned int count)
{
	return elastic_wire_slots_len(count) + count * sizeof(struct elastic_wire_place);
}

/* The largest hosting cap (the max_hosted_pages sysctl's range). */
#define ELASTIC_WIRE_CAP_MAX	0x7fffffffULL

/**
 * struct elastic_wire_cap - payload of CAP
 * @max_pages:	pages the receiver may host for others at most, 0 for no
 *		cap, up to ELASTIC_WIRE_CAP_MAX
 */
struct elastic_wire_cap {
	__be64 max_pages;
} __packed;

/**
 * struct elastic_wire_evacuate - payload of EVACUATE
 * @on:		1: the sender is being reclaimed; the receiver moves the
 *		pages of its processes off the sender and sends it no more.
 *		0: the reclaim was called off; the sender takes pages again.
 *		Not acknowledged: the sender repeats 1 while it holds pages.
 */
struct elastic_wire_evacuate {
	__be64 on;
} __packed;

/**
 * struct elastic_wire_relieve - payload of RELIEVE
 * @pages:	how many of the receiver's pages the sender, short of memory,
 *		asks it to move to other nodes; 1..ELASTIC_WIRE_CAP_MAX.  Not
 *		acknowledged: repeated while the sender stays short.
 */
struct elastic_wire_relieve {
	__be64 pages;
} __packed;

/**
 * struct elastic_wire_move - start of MOVE payloads
 * @to:		node to hand the pages to: 1..ELASTIC_MAX_NODE_ID, neither the
 *		sender nor the receiver
 * @zero:	0; reserved
 *
 * A struct elastic_wire_slots follows (no pages): slots the sender (their
 * home) wants moved off the receiver.  The receiver sends the pages it
 * holds for them, in order up to the first it lacks, to @to in one HANDOFF
 * and keeps its copies: the home FREEs them once it has switched its owner
 * map.  @to acknowledges to the home, on the MOVE's sequence number, with
 * a PUSH_ACK as for a PUSH.  When the receiver holds none of the pages, or
 * cannot reach @to, it sends that PUSH_ACK itself (ENOENT, EHOSTUNREACH).
 */
struct elastic_wire_move {
	__be32 to;
	__be32 zero;
} __packed;

/**
 * struct elastic_wire_handoff - start of HANDOFF payloads
 * @home:	node whose pages these are: 1..ELASTIC_MAX_NODE_ID, neither the
 *		sender nor the receiver
 * @status:	0, or ENOENT when the MOVE named a slot after these pages that
 *		the sender did not hold
 * @req_seq:	the MOVE's sequence number, for the PUSH_ACK to @home
 *
 * A struct elastic_wire_slots follows, then its places and pages, as in a
 * PUSH.  The receiver files them as if @home had pushed them.
 */
struct elastic_wire_handoff {
	__be32 home;
	__be32 status;
	__be64 req_seq;
} __packed;

/* Protections of a range: PROT_READ, PROT_WRITE, PROT_EXEC's values. */
#define ELASTIC_WIRE_PROT_MASK	7U
/* Ranges in one LAYOUT at most (adjacent VMAs alike are sent as one). */
#define ELASTIC_WIRE_LAYOUT_MAX	512

/**
 * struct elastic_wire_range - one range of a LAYOUT
 * @start:	first address, page-aligned
 * @end:	address after the range: page-aligned, above @start, at most
 *		ELASTIC_WIRE_ADDR_END
 * @prot:	bits of ELASTIC_WIRE_PROT_MASK
 * @zero:	0; reserved
 */
struct elastic_wire_range {
	__be64 start;
	__be64 end;
	__be32 prot;
	__be32 zero;
} __packed;

/**
 * struct elastic_range - a struct elastic_wire_range in host order
 * @start:	first address
 * @end:	address after the range
 * @prot:	protection bits
 */
struct elastic_range {
	u64 start;
	u64 end;
	u32 prot;
};

/**
 * struct elastic_wire_layout - payload of LAYOUT
 * @home:	the process's home: the sender, or (forwarded by a member with
 *		a HANDOFF of its pages) neither the sender nor the receiver
 * @mm:		the process at its home, 1..ELASTIC_WIRE_MM_MAX
 * @gen:	version of the layout, non-zero; a home numbers all its
 *		layouts from one counter, so a receiver keeps the highest it
 *		has seen for @mm (a forwarded copy may be older)
 * @count:	ranges that follow, 0..ELASTIC_WIRE_LAYOUT_MAX, in increasing
 *		order and not overlapping: the process's private anonymous
 *		memory.  0: the process is gone, and so is its shadow.
 * @zero:	0; reserved
 * @range:	the ranges
 *
 * Not acknowledged.  The home sends it to a member before pages whenever
 * the layout changed since the member last got it (or on a new connection).
 */
struct elastic_wire_layout {
	__be32 home;
	__be32 mm;
	__be64 gen;
	__be32 count;
	__be32 zero;
	struct elastic_wire_range range[];
} __packed;

/*
 * CLAIM's payload is one struct elastic_wire_place: the page of a process
 * of the receiver (its home) that the sender is about to touch first.
 */

/**
 * struct elastic_wire_claim_reply - payload of CLAIM_REPLY
 * @req_seq:	the CLAIM's sequence number
 * @status:	0: the page is the receiver's to create, under @slot (the
 *		home now has an entry naming the receiver); EEXIST: the page
 *		exists on @owner; EFAULT: no private anonymous memory of the
 *		process there; ESRCH: no such process; ENOMEM
 * @owner:	with 0, the receiver; with EEXIST, the node that has the
 *		page (the home itself when it is resident or swapped there);
 *		else 0
 * @slot:	with 0, the page's slot, 1..ELASTIC_WIRE_SLOT_MAX; else 0
 * @place:	the CLAIM's place, repeated: where the receiver maps the page
 *
 * A granting reply is a request of its own: the receiver files a zeroed
 * page under @slot and acknowledges with a PUSH_ACK on this message's
 * sequence number (stored 1), which the home repeats the reply until it
 * gets; meanwhile the home's own faults on the page wait.
 */
struct elastic_wire_claim_reply {
	__be64 req_seq;
	__be32 status;
	__be32 owner;
	__be64 slot;
	struct elastic_wire_place place;
} __packed;

/**
 * struct elastic_wire_reply - start of PUSH_ACK and PULL_REPLY payloads
 * @req_seq:	sequence number of the request answered
 * @status:	0 or a positive errno: ENOENT (no such page), ENOSPC (cap
 *		reached), ENOMEM; for a PUSH_ACK also EHOSTUNREACH (a MOVE's
 *		target not reached) and EEXIST (a HANDOFF met a stale copy of a
 *		slot; see elastic_host_put()).  A PULL_REPLY with status 0 has the page
 *		after; a PUSH_ACK has a __be32 after: how many pages of the
 *		PUSH, from the first, were stored (0..ELASTIC_WIRE_BATCH;
 *		@status says why the next was not, 0 when all were).
 */
struct elastic_wire_reply {
	__be64 req_seq;
	__be32 status;
} __packed;

/**
 * struct elastic_wire_msg - a parsed header, in host order
 * @type:	message type
 * @len:	payload length
 * @src:	sender's node id
 * @seq:	sequence number
 */
struct elastic_wire_msg {
	u32 type;
	u32 len;
	u32 src;
	u64 seq;
};

int elastic_wire_parse_hdr(const void *buf, size_t len, struct elastic_wire_msg *msg);
void elastic_wire_build_hdr(struct elastic_wire_hdr *hdr, u32 type, u32 len, u32 src, u64 seq);
int elastic_wire_parse_hello(const void *buf, size_t len, u32 *dst, u64 *incarnation);
int elastic_wire_parse_heartbeat(const void *buf, size_t len, u64 *room);
int elastic_wire_parse_slots(u32 type, const void *buf, size_t len, u64 *slots,
			     struct elastic_place *places, unsigned int *count);
int elastic_wire_parse_cap(const void *buf, size_t len, u64 *max_pages);
int elastic_wire_parse_evacuate(const void *buf, size_t len, bool *on);
int elastic_wire_parse_relieve(const void *buf, size_t len, u64 *pages);
int elastic_wire_parse_move(const void *buf, size_t len, u32 *to, u64 *slots,
			    unsigned int *count);
int elastic_wire_parse_handoff(const void *buf, size_t len, u32 *home, int *status, u64 *req_seq,
			       u64 *slots, struct elastic_place *places, unsigned int *count);
int elastic_wire_parse_layout(const void *buf, size_t len, u32 *home, u32 *mm, u64 *gen,
			      struct elastic_range *ranges, unsigned int *count);
void elastic_wire_put_layout(struct elastic_wire_layout *w, u32 home, u32 mm, u64 gen,
			     const struct elastic_range *ranges, unsigned int count);
int elastic_wire_parse_reply(u32 type, const void *buf, size_t len, u64 *req_seq, int *status,
			     unsigned int *stored);
int elastic_wire_parse_claim(const void *buf, size_t len, struct elastic_place *pl);
int elastic_wire_parse_claim_reply(const void *buf, size_t len, u64 *req_seq, int *status,
				   u32 *owner, u64 *slot, struct elastic_place *pl);

#endif /* _ELASTIC_WIRE_H */
