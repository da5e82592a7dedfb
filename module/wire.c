// SPDX-License-Identifier: GPL-2.0
/*
 * SpotOS elastic module: encoding and validation of wire messages.
 *
 * Pure functions of their arguments (no module state), tested by KUnit in
 * wire_test.c; the transport calls them on every message it receives.
 */
#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <uapi/linux/elastic.h>

#include "wire.h"
#include "wire_jump.h"

/* Payload size of each fixed-size type; -1: variable. */
static const int elastic_wire_payload_len[__ELASTIC_MSG_MAX] = {
	[ELASTIC_MSG_HELLO]	= sizeof(struct elastic_wire_hello),
	[ELASTIC_MSG_HEARTBEAT]	= sizeof(struct elastic_wire_heartbeat),
	[ELASTIC_MSG_PUSH]	= -1,
	[ELASTIC_MSG_PUSH_ACK]	= sizeof(struct elastic_wire_reply) + sizeof(__be32),
	[ELASTIC_MSG_PULL]	= -1,
	[ELASTIC_MSG_PULL_REPLY] = -1,
	[ELASTIC_MSG_FREE]	= -1,
	[ELASTIC_MSG_CAP]	= sizeof(struct elastic_wire_cap),
	[ELASTIC_MSG_EVACUATE]	= sizeof(struct elastic_wire_evacuate),
	[ELASTIC_MSG_RELIEVE]	= sizeof(struct elastic_wire_relieve),
	[ELASTIC_MSG_MOVE]	= -1,
	[ELASTIC_MSG_HANDOFF]	= -1,
	[ELASTIC_MSG_LAYOUT]	= -1,
	[ELASTIC_MSG_CLAIM]	= sizeof(struct elastic_wire_place),
	[ELASTIC_MSG_CLAIM_REPLY] = sizeof(struct elastic_wire_claim_reply),
	[ELASTIC_MSG_JUMP]	= -1,
	[ELASTIC_MSG_JUMP_ACK]	= sizeof(struct elastic_wire_jump_ack),
};

/**
 * elastic_wire_parse_hdr - validate a received header
 * @buf: the bytes received
 * @len: how many; fewer than a header is an error
 * @msg: the header in host order, filled only on success
 *
 * Return: 0; -EPROTO for a wrong magic, version, flags or sender id;
 * -EOPNOTSUPP for an unknown type; -EMSGSIZE for a payload length that is
 * too large or wrong for the type; -EINVAL for a short buffer.
 */
int elastic_wire_parse_hdr(const void *buf, size_t len, struct elastic_wire_msg *msg)
{
	struct elastic_wire_hdr h;
	u32 plen, src;

	if (len < sizeof(h))
		return -EINVAL;
	memcpy(&h, buf, sizeof(h));
	if (be32_to_cpu(h.magic) != ELASTIC_WIRE_MAGIC ||
	    h.version != ELASTIC_WIRE_VERSION || h.flags)
		return -EPROTO;
	if (h.type == 0 || h.type >= __ELASTIC_MSG_MAX)
		return -EOPNOTSUPP;
	plen = be32_to_cpu(h.len);
	if (plen > ELASTIC_WIRE_MAX_PAYLOAD)
		return -EMSGSIZE;
	if (elastic_wire_payload_len[h.type] >= 0 &&
	    plen != elastic_wire_payload_len[h.type])
		return -EMSGSIZE;
	src = be32_to_cpu(h.src);
	if (src < 1 || src > ELASTIC_MAX_NODE_ID)
		return -EPROTO;
	msg->type = h.type;
	msg->len = plen;
	msg->src = src;
	msg->seq = be64_to_cpu(h.seq);
	return 0;
}

/**
 * elastic_wire_build_hdr - fill a header for sending
 * @hdr: header to fill
 * @type: message type
 * @len: payload length
 * @src: this node's id
 * @seq: sequence number
 */
void elastic_wire_build_hdr(struct elastic_wire_hdr *hdr, u32 type, u32 len, u32 src, u64 seq)
{
	hdr->magic = cpu_to_be32(ELASTIC_WIRE_MAGIC);
	hdr->version = ELASTIC_WIRE_VERSION;
	hdr->type = type;
	hdr->flags = 0;
	hdr->len = cpu_to_be32(len);
	hdr->src = cpu_to_be32(src);
	hdr->seq = cpu_to_be64(seq);
}

/**
 * elastic_wire_parse_hello - validate a HELLO payload
 * @buf: payload
 * @len: its length (already checked against the type by the header)
 * @dst: the node id the sender believes it talks to
 * @incarnation: the sender's incarnation, never 0
 *
 * Return: 0, -EMSGSIZE for a wrong length, -EPROTO for a bad id, an
 * incarnation of 0 or a peer that cannot speak our version.
 */
int elastic_wire_parse_hello(const void *buf, size_t len, u32 *dst, u64 *incarnation)
{
	struct elastic_wire_hello h;
	u32 id;

	if (len != sizeof(h))
		return -EMSGSIZE;
	memcpy(&h, buf, sizeof(h));
	id = be32_to_cpu(h.dst);
	if (id < 1 || id > ELASTIC_MAX_NODE_ID || !h.incarnation ||
	    be32_to_cpu(h.proto_min) > ELASTIC_WIRE_VERSION)
		return -EPROTO;
	*dst = id;
	*incarnation = be64_to_cpu(h.incarnation);
	return 0;
}

/**
 * elastic_wire_parse_heartbeat - check a HEARTBEAT's payload
 * @buf: the payload
 * @len: its length
 * @room: set to the pages the sender can still take
 *
 * Return: 0, or -EMSGSIZE.
 */
int elastic_wire_parse_heartbeat(const void *buf, size_t len, u64 *room)
{
	struct elastic_wire_heartbeat h;

	if (len != sizeof(h))
		return -EMSGSIZE;
	memcpy(&h, buf, sizeof(h));
	*room = be64_to_cpu(h.room);
	return 0;
}

/* A payload that is one big-endian u64 in [@min, @max]. */
static int elastic_wire_parse_u64(const void *buf, size_t len, u64 min, u64 max, u64 *out)
{
	__be64 w;
	u64 v;

	if (len < sizeof(w))
		return -EMSGSIZE;
	memcpy(&w, buf, sizeof(w));
	v = be64_to_cpu(w);
	if (v < min || v > max)
		return -EPROTO;
	*out = v;
	return 0;
}

/* One place: -EPROTO for a field out of range. */
static int elastic_wire_parse_place(const void *buf, struct elastic_place *pl)
{
	struct elastic_wire_place p;

	memcpy(&p, buf, sizeof(p));
	pl->mm = be32_to_cpu(p.mm);
	pl->addr = be64_to_cpu(p.addr);
	if (pl->mm < 1 || pl->mm > ELASTIC_WIRE_MM_MAX || p.zero ||
	    pl->addr % ELASTIC_WIRE_PAGE || pl->addr >= ELASTIC_WIRE_ADDR_END)
		return -EPROTO;
	return 0;
}

/**
 * elastic_wire_parse_slots - validate the slots of a PUSH, PULL or FREE
 * @type: ELASTIC_MSG_PUSH, ELASTIC_MSG_PULL or ELASTIC_MSG_FREE (or
 *	ELASTIC_MSG_MOVE and ELASTIC_MSG_HANDOFF, for the part after their
 *	own fields: a HANDOFF's has pages as a PUSH's)
 * @buf: payload
 * @len: its length
 * @slots: ELASTIC_WIRE_BATCH entries, the first *@count filled on success
 * @places: for a PUSH or HANDOFF, ELASTIC_WIRE_BATCH entries, the first
 *	*@count filled on success, or NULL to check the places only (read
 *	them with elastic_wire_place_at()); else unused (NULL)
 * @count: how many slots the message names
 *
 * The payload must be exactly the slots, and for a PUSH as many places and
 * pages after them; a PUSH's pages start at offset
 * elastic_wire_pages_off(*@count).
 *
 * Return: 0, -EMSGSIZE for a length that does not match the count,
 * -EPROTO for a count, reserved field, slot or place out of range.
 */
int elastic_wire_parse_slots(u32 type, const void *buf, size_t len, u64 *slots,
			     struct elastic_place *places, unsigned int *count)
{
	struct elastic_wire_place p;
	struct elastic_wire_slots h;
	struct elastic_place one;
	bool paged = type == ELASTIC_MSG_PUSH || type == ELASTIC_MSG_HANDOFF;
	unsigned int n, i;
	size_t want;
	__be64 w;
	u64 v;

	if (len < sizeof(h))
		return -EMSGSIZE;
	memcpy(&h, buf, sizeof(h));
	n = be32_to_cpu(h.count);
	if (n < 1 || n > ELASTIC_WIRE_BATCH || h.zero)
		return -EPROTO;
	want = paged ? elastic_wire_pages_off(n) + (size_t)n * ELASTIC_WIRE_PAGE
		     : elastic_wire_slots_len(n);
	if (len != want)
		return -EMSGSIZE;
	for (i = 0; i < n; i++) {
		memcpy(&w, (const u8 *)buf + sizeof(h) + i * sizeof(w), sizeof(w));
		v = be64_to_cpu(w);
		if (v < 1 || v > ELASTIC_WIRE_SLOT_MAX)
			return -EPROTO;
		slots[i] = v;
	}
	for (i = 0; paged && i < n; i++)
		if (elastic_wire_parse_place((const u8 *)buf + elastic_wire_slots_len(n) +
					     i * sizeof(p), places ? &places[i] : &one))
			return -EPROTO;
	*count = n;
	return 0;
}

/**
 * elastic_wire_parse_cap - validate the cap of a CAP message
 * @buf: payload
 * @len: its length (already checked against the type by the header)
 * @max_pages: the cap, filled on success
 *
 * Return: 0, -EMSGSIZE for a short payload, -EPROTO for a cap out of range.
 */
int elastic_wire_parse_cap(const void *buf, size_t len, u64 *max_pages)
{
	BUILD_BUG_ON(sizeof(struct elastic_wire_cap) != sizeof(__be64));
	return elastic_wire_parse_u64(buf, len, 0, ELASTIC_WIRE_CAP_MAX, max_pages);
}

/**
 * elastic_wire_parse_evacuate - validate an EVACUATE message
 * @buf: payload
 * @len: its length (already checked against the type by the header)
 * @on: whether the sender is being reclaimed, filled on success
 *
 * Return: 0, -EMSGSIZE for a short payload, -EPROTO for a value not 0 or 1.
 */
int elastic_wire_parse_evacuate(const void *buf, size_t len, bool *on)
{
	u64 v;
	int ret;

	BUILD_BUG_ON(sizeof(struct elastic_wire_evacuate) != sizeof(__be64));
	ret = elastic_wire_parse_u64(buf, len, 0, 1, &v);
	if (!ret)
		*on = v;
	return ret;
}

/**
 * elastic_wire_parse_relieve - validate a RELIEVE message
 * @buf: payload
 * @len: its length (already checked against the type by the header)
 * @pages: how many pages the sender asks to be moved off it, on success
 *
 * Return: 0, -EMSGSIZE for a short payload, -EPROTO for a count that is 0
 * or above ELASTIC_WIRE_CAP_MAX.
 */
int elastic_wire_parse_relieve(const void *buf, size_t len, u64 *pages)
{
	BUILD_BUG_ON(sizeof(struct elastic_wire_relieve) != sizeof(__be64));
	return elastic_wire_parse_u64(buf, len, 1, ELASTIC_WIRE_CAP_MAX, pages);
}

static bool elastic_wire_node_ok(u32 id)
{
	return id >= 1 && id <= ELASTIC_MAX_NODE_ID;
}

/**
 * elastic_wire_parse_move - validate a MOVE
 * @buf: payload
 * @len: its length
 * @to: node the pages go to, filled on success
 * @slots: ELASTIC_WIRE_BATCH entries, the first *@count filled on success
 * @count: how many slots the message names
 *
 * Whether @to is the sender or the receiver, only the caller can tell.
 *
 * Return: 0, -EMSGSIZE or -EPROTO as elastic_wire_parse_slots().
 */
int elastic_wire_parse_move(const void *buf, size_t len, u32 *to, u64 *slots,
			    unsigned int *count)
{
	struct elastic_wire_move h;
	int ret;

	if (len < sizeof(h))
		return -EMSGSIZE;
	memcpy(&h, buf, sizeof(h));
	if (!elastic_wire_node_ok(be32_to_cpu(h.to)) || h.zero)
		return -EPROTO;
	ret = elastic_wire_parse_slots(ELASTIC_MSG_MOVE, (const u8 *)buf + sizeof(h),
				       len - sizeof(h), slots, NULL, count);
	if (!ret)
		*to = be32_to_cpu(h.to);
	return ret;
}

/**
 * elastic_wire_parse_handoff - validate a HANDOFF
 * @buf: payload
 * @len: its length
 * @home: node whose pages they are, filled on success
 * @status: 0 or -ENOENT, filled on success
 * @req_seq: the MOVE's sequence number, filled on success
 * @slots: ELASTIC_WIRE_BATCH entries, the first *@count filled on success
 * @places: ELASTIC_WIRE_BATCH entries, the first *@count filled on success
 * @count: how many slots (and pages) the message carries
 *
 * The pages start at offset sizeof(struct elastic_wire_handoff) +
 * elastic_wire_pages_off(*@count).
 *
 * Return: 0, -EMSGSIZE or -EPROTO as elastic_wire_parse_slots().
 */
int elastic_wire_parse_handoff(const void *buf, size_t len, u32 *home, int *status, u64 *req_seq,
			       u64 *slots, struct elastic_place *places, unsigned int *count)
{
	struct elastic_wire_handoff h;
	u32 st;
	int ret;

	if (len < sizeof(h))
		return -EMSGSIZE;
	memcpy(&h, buf, sizeof(h));
	st = be32_to_cpu(h.status);
	if (!elastic_wire_node_ok(be32_to_cpu(h.home)) || (st && st != ENOENT))
		return -EPROTO;
	ret = elastic_wire_parse_slots(ELASTIC_MSG_HANDOFF, (const u8 *)buf + sizeof(h),
				       len - sizeof(h), slots, places, count);
	if (ret)
		return ret;
	*home = be32_to_cpu(h.home);
	*status = -(int)st;
	*req_seq = be64_to_cpu(h.req_seq);
	return 0;
}

/**
 * elastic_wire_parse_layout - validate a LAYOUT
 * @buf: payload
 * @len: its length
 * @home: the process's home, filled on success
 * @mm: the process, filled on success
 * @gen: the layout's version, filled on success
 * @ranges: ELASTIC_WIRE_LAYOUT_MAX entries, the first *@count filled on
 *	success
 * @count: how many ranges (0: the process is gone)
 *
 * Whether @home may be the sender, only the caller can tell.
 *
 * Return: 0, -EMSGSIZE for a length that does not match the count,
 * -EPROTO for a field out of range or ranges out of order or overlapping.
 */
int elastic_wire_parse_layout(const void *buf, size_t len, u32 *home, u32 *mm, u64 *gen,
			      struct elastic_range *ranges, unsigned int *count)
{
	struct elastic_wire_layout h;
	struct elastic_wire_range r;
	unsigned int n, i;
	u64 prev = 0;

	if (len < sizeof(h))
		return -EMSGSIZE;
	memcpy(&h, buf, sizeof(h));
	n = be32_to_cpu(h.count);
	if (!elastic_wire_node_ok(be32_to_cpu(h.home)) || !h.mm ||
	    be32_to_cpu(h.mm) > ELASTIC_WIRE_MM_MAX || !h.gen || h.zero ||
	    n > ELASTIC_WIRE_LAYOUT_MAX)
		return -EPROTO;
	if (len != sizeof(h) + (size_t)n * sizeof(r))
		return -EMSGSIZE;
	for (i = 0; i < n; i++) {
		memcpy(&r, (const u8 *)buf + sizeof(h) + i * sizeof(r), sizeof(r));
		ranges[i].start = be64_to_cpu(r.start);
		ranges[i].end = be64_to_cpu(r.end);
		ranges[i].prot = be32_to_cpu(r.prot);
		if (ranges[i].start < prev || ranges[i].end <= ranges[i].start ||
		    ranges[i].end > ELASTIC_WIRE_ADDR_END ||
		    (ranges[i].start | ranges[i].end) % ELASTIC_WIRE_PAGE ||
		    ranges[i].prot & ~ELASTIC_WIRE_PROT_MASK || r.zero)
			return -EPROTO;
		prev = ranges[i].end;
	}
	*home = be32_to_cpu(h.home);
	*mm = be32_to_cpu(h.mm);
	*gen = be64_to_cpu(h.gen);
	*count = n;
	return 0;
}

/**
 * elastic_wire_put_layout - fill a LAYOUT's payload
 * @w: room for struct_size(@w, range, @count) bytes
 * @home: the process's home
 * @mm: the process there
 * @gen: the layout's version
 * @ranges: its ranges
 * @count: how many (0: the process is gone)
 */
void elastic_wire_put_layout(struct elastic_wire_layout *w, u32 home, u32 mm, u64 gen,
			     const struct elastic_range *ranges, unsigned int count)
{
	unsigned int i;

	w->home = cpu_to_be32(home);
	w->mm = cpu_to_be32(mm);
	w->gen = cpu_to_be64(gen);
	w->count = cpu_to_be32(count);
	w->zero = 0;
	for (i = 0; i < count; i++) {
		w->range[i].start = cpu_to_be64(ranges[i].start);
		w->range[i].end = cpu_to_be64(ranges[i].end);
		w->range[i].prot = cpu_to_be32(ranges[i].prot);
		w->range[i].zero = 0;
	}
}

/**
 * elastic_wire_parse_reply - validate a PUSH_ACK or PULL_REPLY
 * @type: ELASTIC_MSG_PUSH_ACK or ELASTIC_MSG_PULL_REPLY
 * @buf: payload
 * @len: its length
 * @req_seq: sequence number of the request it answers, filled on success
 * @status: 0 or a negative errno, filled on success
 * @stored: for a PUSH_ACK, pages stored (0 for a PULL_REPLY), on success
 *
 * A successful PULL_REPLY carries exactly one page; a PUSH_ACK the count
 * of pages stored, at most ELASTIC_WIRE_BATCH (whether it is at most what
 * was pushed, only the request can tell).
 *
 * Return: 0, -EMSGSIZE for a length that does not match the status,
 * -EPROTO for a status or count outside the documented ones.
 */
int elastic_wire_parse_reply(u32 type, const void *buf, size_t len, u64 *req_seq, int *status,
			     unsigned int *stored)
{
	struct elastic_wire_reply r;
	size_t want;
	__be32 c;
	u32 st, n = 0;

	if (len < sizeof(r))
		return -EMSGSIZE;
	memcpy(&r, buf, sizeof(r));
	st = be32_to_cpu(r.status);
	if (st != 0 && st != ENOENT && st != ENOSPC && st != ENOMEM &&
	    ((st != EHOSTUNREACH && st != EEXIST) || type != ELASTIC_MSG_PUSH_ACK))
		return -EPROTO;
	want = sizeof(r);
	if (type == ELASTIC_MSG_PULL_REPLY && st == 0)
		want += ELASTIC_WIRE_PAGE;
	if (type == ELASTIC_MSG_PUSH_ACK)
		want += sizeof(c);
	if (len != want)
		return -EMSGSIZE;
	if (type == ELASTIC_MSG_PUSH_ACK) {
		memcpy(&c, (const u8 *)buf + sizeof(r), sizeof(c));
		n = be32_to_cpu(c);
		if (n > ELASTIC_WIRE_BATCH)
			return -EPROTO;
	}
	*req_seq = be64_to_cpu(r.req_seq);
	*status = -(int)st;
	*stored = n;
	return 0;
}

/**
 * elastic_wire_parse_claim - validate a CLAIM
 * @buf: payload
 * @len: its length (already checked against the type by the header)
 * @pl: the page claimed, filled on success
 *
 * Return: 0, -EMSGSIZE for a short payload, -EPROTO as for a place.
 */
int elastic_wire_parse_claim(const void *buf, size_t len, struct elastic_place *pl)
{
	if (len < sizeof(struct elastic_wire_place))
		return -EMSGSIZE;
	return elastic_wire_parse_place(buf, pl);
}

/**
 * elastic_wire_parse_claim_reply - validate a CLAIM_REPLY
 * @buf: payload
 * @len: its length (already checked against the type by the header)
 * @req_seq: the CLAIM's sequence number, filled on success
 * @status: 0 or a negative errno, filled on success
 * @owner: filled on success
 * @slot: filled on success
 * @pl: the place claimed, filled on success
 *
 * Whether @owner is the receiver when the status is 0, only the caller
 * can tell.
 *
 * Return: 0, -EMSGSIZE for a short payload, -EPROTO for a status outside
 * the documented ones, an owner or slot that does not fit it, or a place
 * out of range.
 */
int elastic_wire_parse_claim_reply(const void *buf, size_t len, u64 *req_seq, int *status,
				   u32 *owner, u64 *slot, struct elastic_place *pl)
{
	struct elastic_wire_claim_reply r;
	u32 st, o;
	u64 s;

	if (len < sizeof(r))
		return -EMSGSIZE;
	memcpy(&r, buf, sizeof(r));
	st = be32_to_cpu(r.status);
	o = be32_to_cpu(r.owner);
	s = be64_to_cpu(r.slot);
	switch (st) {
	case 0:
		if (!elastic_wire_node_ok(o) || s < 1 || s > ELASTIC_WIRE_SLOT_MAX)
			return -EPROTO;
		break;
	case EEXIST:
		if (!elastic_wire_node_ok(o) || s)
			return -EPROTO;
		break;
	case EFAULT:
	case ESRCH:
	case ENOMEM:
		if (o || s)
			return -EPROTO;
		break;
	default:
		return -EPROTO;
	}
	if (elastic_wire_parse_place((const u8 *)buf + offsetof(typeof(r), place), pl))
		return -EPROTO;
	*req_seq = be64_to_cpu(r.req_seq);
	*status = -(int)st;
	*owner = o;
	*slot = s;
	return 0;
}
