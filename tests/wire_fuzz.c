// SPDX-License-Identifier: GPL-2.0
/*
 * wire_fuzz: seeded mutations of valid SpotOS wire messages, sent to a live
 * node, one connection each.
 *
 *   wire_fuzz HOST PORT SRC DST COUNT SEED [KNOWN]
 *   wire_fuzz HOST PORT SRC DST --hello INCARNATION
 *   wire_fuzz HOST PORT SRC DST --push INCARNATION SLOT
 *
 * --hello and --push speak as SRC in that incarnation: a HELLO and a
 * heartbeat, or a HELLO and a PUSH of one page (bytes 0x5a) under SLOT,
 * placed at address 0x10000000 of SRC's process 1 (no LAYOUT names it, so
 * the node keeps the page unmapped).
 * KNOWN: comma-separated ids of the other members DST knows, besides SRC
 * (a HANDOFF of a home it does not know is malformed, and so is a LAYOUT
 * of a home that is DST, or neither SRC nor a node DST knows).
 * Runs on member SRC (its address is the one DST accepts), against node DST.
 * Each case starts from a valid stream (HELLO, then HEARTBEATs, then
 * perhaps the LAYOUT of one of SRC's processes 1..4 and perhaps one of
 * another known home's, forwarded; then perhaps a PULL, a FREE and a MOVE
 * of up to a batch of slots the node does not hold, so that it answers
 * ENOENT and drops nothing; then perhaps a CLAIM of a page of one of DST's
 * processes 1..4, which the node answers later (ESRCH when it has no such
 * process), and perhaps a CLAIM_REPLY to a claim the node never made,
 * refusing it (EFAULT, ESRCH, ENOMEM, or EEXIST naming a node), which it
 * counts as stale (never one granting a page, status 0, which the node
 * would answer; a mutation may make one: malformed unless its owner is
 * DST); then, for each LAYOUT that had ranges, a later one of none (the
 * process is gone), so that the node drops the shadow it made; and perhaps
 * a HANDOFF of a page of a home it does not know, which it must refuse),
 * mutates it (flipped bytes, truncation, bad length, wrong version,
 * garbage, appended junk), sends it, and waits for the node
 * to finish with the connection.  An oracle that follows the receiver's
 * rules decides whether the node must count the stream as malformed; the
 * last line printed is "malformed N of COUNT", for the caller to compare
 * with the node's bad_frames counter.
 *
 * A LAYOUT's ranges lie within 0x10000000..0x7f0000000000, a few GiB at
 * most each: the node maps them in a shadow address space, never touched.
 * Generations come from one counter, so a run's LAYOUTs of a process are
 * each newer than the last (a mutated stream may lose its "gone" LAYOUT:
 * the node then keeps that shadow until a later case's).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define HDR 24
#define MAX_NODE 63
#define VERSION 6
#define PAGE 4096
#define BATCH 32
#define PLACE 16		/* struct elastic_wire_place */
#define MAX_PAYLOAD (16 + 8 + BATCH * (8 + PLACE + PAGE))
#define SLOT_MAX ((1ULL << 40) - 1)
#define MM_MAX 0xffff
#define ADDR_END (1ULL << 57)
#define LAYOUT_HDR 24		/* struct elastic_wire_layout */
#define RANGE 24		/* struct elastic_wire_range */
#define LAYOUT_MAX 512
#define PROT_MASK 7
#define CLAIM_REPLY_LEN 40	/* struct elastic_wire_claim_reply */
enum {
	HELLO = 1, HEARTBEAT, PUSH, PUSH_ACK, PULL, PULL_REPLY, FREE, CAP, EVACUATE, RELIEVE,
	MOVE, HANDOFF, LAYOUT, CLAIM, CLAIM_REPLY, JUMP, JUMP_ACK, TYPE_MAX
};
#define JUMP_ACK_LEN 32		/* struct elastic_wire_jump_ack */
/* Payload length of each type (module/wire.c); -1: variable. */
static const int type_len[TYPE_MAX] = {
	[HELLO] = 16, [HEARTBEAT] = 8, [PUSH] = -1, [PUSH_ACK] = 16,
	[PULL] = -1, [PULL_REPLY] = -1, [FREE] = -1, [CAP] = 8, [EVACUATE] = 8, [RELIEVE] = 8,
	[MOVE] = -1, [HANDOFF] = -1, [LAYOUT] = -1, [CLAIM] = PLACE, [CLAIM_REPLY] = CLAIM_REPLY_LEN,
	[JUMP] = -1, [JUMP_ACK] = JUMP_ACK_LEN,
};

/* Nodes DST knows (KNOWN, and SRC). */
static uint64_t known;

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void put32(uint8_t *p, uint32_t v)
{
	v = htobe32(v);
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	v = htobe64(v);
	memcpy(p, &v, 8);
}

static size_t put_hdr(uint8_t *p, uint8_t type, uint32_t len, uint32_t src, uint64_t seq);

/* A HEARTBEAT, with the room its sender claims (any value is valid). */
static size_t put_beat(uint8_t *p, uint32_t src, uint64_t seq)
{
	uint64_t room = htobe64(rnd());

	put_hdr(p, HEARTBEAT, 8, src, seq);
	memcpy(p + HDR, &room, 8);
	return HDR + 8;
}

static size_t put_hdr(uint8_t *p, uint8_t type, uint32_t len, uint32_t src, uint64_t seq)
{
	uint32_t magic = htobe32(0x53504f53), l = htobe32(len), s = htobe32(src);
	uint64_t q = htobe64(seq);

	memcpy(p, &magic, 4);
	p[4] = VERSION;
	p[5] = type;
	p[6] = p[7] = 0;
	memcpy(p + 8, &l, 4);
	memcpy(p + 12, &s, 4);
	memcpy(p + 16, &q, 8);
	return HDR;
}

/* The fuzzer's own incarnation (a HELLO's must not be 0). */
static uint64_t incarnation = 0x5350465a5a000001ULL;

static size_t put_hello(uint8_t *p, uint32_t src, uint32_t dst)
{
	uint32_t d = htobe32(dst), v = htobe32(VERSION);
	uint64_t i = htobe64(incarnation);

	put_hdr(p, HELLO, 16, src, 1);
	memcpy(p + HDR, &d, 4);
	memcpy(p + HDR + 4, &v, 4);
	memcpy(p + HDR + 8, &i, 8);
	return HDR + 16;
}

static uint32_t be32at(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return be32toh(v);
}

static uint64_t be64at(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return be64toh(v);
}

/* A struct elastic_wire_place's rules (elastic_wire_parse_place()). */
static int bad_place(const uint8_t *q)
{
	uint32_t mm = be32at(q);
	uint64_t addr = be64at(q + 8);

	return mm < 1 || mm > MM_MAX || be32at(q + 4) || addr % PAGE || addr >= ADDR_END;
}

/*
 * Payload rules of the memory messages (elastic_wire_parse_slots/_cap/
 * _evacuate/_move/_handoff/_layout/_reply/_claim/_claim_reply,
 * elastic_mem_rx(), elastic_rx_claim_reply()).
 */
static int bad_payload(uint8_t type, const uint8_t *p, uint32_t len, uint32_t src, uint32_t dst)
{
	uint64_t slot, start, end, prev;
	uint32_t st, n, i, node, mm;
	const uint8_t *q;

	switch (type) {
	case MOVE:
		if (len < 8)
			return 1;
		node = be32at(p);
		if (node < 1 || node > MAX_NODE || node == src || node == dst || be32at(p + 4))
			return 1;
		return bad_payload(PULL, p + 8, len - 8, src, dst);
	case HANDOFF:
		if (len < 16)
			return 1;
		node = be32at(p);
		st = be32at(p + 4);
		if (node < 1 || node > MAX_NODE || (st && st != ENOENT))
			return 1;
		if (node == src || node == dst || !(known >> node & 1))
			return 1;
		return bad_payload(PUSH, p + 16, len - 16, src, dst);
	case PUSH:
	case PULL:
	case FREE:
		if (len < 8)
			return 1;
		n = be32at(p);
		if (n < 1 || n > BATCH || be32at(p + 4))
			return 1;
		/* A PUSH's (and a HANDOFF's) places, then pages, follow its slots. */
		if (len != 8 + 8 * n + (type == PUSH ? n * (PLACE + PAGE) : 0))
			return 1;
		for (i = 0; i < n; i++) {
			slot = be64at(p + 8 + 8 * i);
			if (slot < 1 || slot > SLOT_MAX)
				return 1;
		}
		for (i = 0; type == PUSH && i < n; i++)
			if (bad_place(p + 8 + 8 * n + PLACE * i))
				return 1;
		return 0;
	case LAYOUT:
		if (len < LAYOUT_HDR)
			return 1;
		node = be32at(p);
		mm = be32at(p + 4);
		n = be32at(p + 16);
		if (node < 1 || node > MAX_NODE || mm < 1 || mm > MM_MAX || !be64at(p + 8) ||
		    be32at(p + 20) || n > LAYOUT_MAX)
			return 1;
		if (len != LAYOUT_HDR + RANGE * n)
			return 1;
		/* Sorted and apart (touching allowed), page-aligned, below 1 << 57. */
		for (i = 0, prev = 0; i < n; i++) {
			q = p + LAYOUT_HDR + RANGE * i;
			start = be64at(q);
			end = be64at(q + 8);
			if (start < prev || end <= start || end > ADDR_END ||
			    (start | end) % PAGE || be32at(q + 16) & ~PROT_MASK || be32at(q + 20))
				return 1;
			prev = end;
		}
		/* A home sends its own layouts, a member forwards a known home's. */
		return node == dst || !(known >> node & 1);
	case CLAIM:
		/* Any well-formed one: the node answers it, later. */
		return bad_place(p);
	case CLAIM_REPLY:
		st = be32at(p + 8);
		node = be32at(p + 12);
		slot = be64at(p + 16);
		switch (st) {
		case 0:
			/* Granted: to the receiver (whose id only it knows), under a slot. */
			if (node < 1 || node > MAX_NODE || slot < 1 || slot > SLOT_MAX)
				return 1;
			if (node != dst)
				return 1;
			break;
		case EEXIST:
			if (node < 1 || node > MAX_NODE || slot)
				return 1;
			break;
		case EFAULT:
		case ESRCH:
		case ENOMEM:
			if (node || slot)
				return 1;
			break;
		default:
			return 1;
		}
		return bad_place(p + 24);
	case CAP:
		return be64at(p) > 0x7fffffffULL;
	case EVACUATE:
		return be64at(p) > 1;
	case RELIEVE:
		return be64at(p) < 1 || be64at(p) > 0x7fffffffULL;
	case PUSH_ACK:
	case PULL_REPLY:
		if (len < 12)
			return 1;
		st = be32at(p + 8);
		if (st != 0 && st != ENOENT && st != ENOSPC && st != ENOMEM &&
		    ((st != EHOSTUNREACH && st != EEXIST) || type != PUSH_ACK))
			return 1;
		if (type == PUSH_ACK)
			return len != 16 || be32at(p + 12) > BATCH;
		return len != 12u + (st == 0 ? PAGE : 0);
	case JUMP:
		/*
		 * The streams hold no valid thread state (exact xstate size,
		 * registers a user may have): any JUMP here is malformed.
		 */
		return 1;
	case JUMP_ACK:
		/* A well-formed one for no thread is stale, not malformed. */
		st = be32at(p + 8);
		if (st != 0 && st != EBUSY && st != ENOMEM && st != ESRCH && st != ESTALE &&
		    st != EINVAL && st != EOPNOTSUPP)
			return 1;
		return be32at(p + 12) || !be64at(p + 16) || (st && be64at(p + 24));
	}
	return 0;
}

/* The receiver's rules (module/wire.c, module/cluster.c): 1 if malformed. */
static int malformed(const uint8_t *b, size_t n, uint32_t src, uint32_t dst)
{
	size_t off = 0;
	int first = 1;

	while (off < n) {
		const uint8_t *h = b + off;
		uint32_t len, s;

		if (n - off < HDR)
			return 1;			/* truncated header */
		if (be32at(h) != 0x53504f53 || h[4] != VERSION || h[6] || h[7])
			return 1;
		if (h[5] == 0 || h[5] >= TYPE_MAX)
			return 1;
		len = be32at(h + 8);
		if (len > MAX_PAYLOAD || (type_len[h[5]] >= 0 && len != (uint32_t)type_len[h[5]]))
			return 1;
		s = be32at(h + 12);
		if (s < 1 || s > MAX_NODE)
			return 1;
		if (n - off - HDR < len)
			return 1;			/* truncated payload */
		if (first) {
			if (h[5] != HELLO || s != src)
				return 1;
			if (be32at(h + HDR) != dst || be32at(h + HDR + 4) > VERSION ||
			    !be64at(h + HDR + 8))
				return 1;
		} else if (s != src || h[5] == HELLO) {
			return 1;
		} else if (bad_payload(h[5], h + HDR, len, src, dst)) {
			return 1;
		}
		first = 0;
		off += HDR + len;
	}
	return 0;
}

/* Where the pages the fuzzer sends live: SRC's process 1, from 0x10000000. */
#define PLACE_MM 1
#define PLACE_ADDR 0x10000000ULL

/* @n places, for pages @n in a row from PLACE_ADDR. */
static void put_places(uint8_t *p, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		put32(p + PLACE * i, PLACE_MM);
		put32(p + PLACE * i + 4, 0);
		put64(p + PLACE * i + 8, PLACE_ADDR + (uint64_t)i * PAGE);
	}
}

/*
 * A PULL, FREE or MOVE of 1..BATCH slots (a HANDOFF of one slot, its place
 * and its page) from the top of the slot space, which no home allocates in
 * a test (slots are numbered from 1 up).  A MOVE's target and a HANDOFF's
 * home is @node; a HANDOFF's pages carry the MOVE's sequence number 1000.
 */
static size_t put_slots(uint8_t *p, uint8_t type, uint32_t src, uint64_t seq, uint32_t node)
{
	uint32_t n = type == HANDOFF ? 1 : 1 + rnd() % BATCH, i, c = htobe32(n), z = 0;
	uint32_t pre = type == MOVE ? 8 : type == HANDOFF ? 16 : 0, v;
	uint32_t len = pre + 8 + 8 * n + (type == HANDOFF ? n * (PLACE + PAGE) : 0);
	uint64_t s;

	put_hdr(p, type, len, src, seq);
	p += HDR;
	if (pre) {
		v = htobe32(node);
		memcpy(p, &v, 4);
		memset(p + 4, 0, pre - 4);
		if (type == HANDOFF) {
			s = htobe64(1000);
			memcpy(p + 8, &s, 8);
		}
	}
	memcpy(p + pre, &c, 4);
	memcpy(p + pre + 4, &z, 4);
	for (i = 0; i < n; i++) {
		s = htobe64(SLOT_MAX - rnd() % 4096);
		memcpy(p + pre + 8 + 8 * i, &s, 8);
	}
	if (type == HANDOFF) {
		put_places(p + pre + 8 + 8 * n, n);
		memset(p + pre + 8 + 8 * n + PLACE * n, 0x5a, n * PAGE);
	}
	return HDR + len;
}

/* A PUSH of one page (bytes 0x5a) under @slot, at PLACE_ADDR of PLACE_MM. */
static size_t put_push1(uint8_t *p, uint32_t src, uint64_t seq, uint64_t slot)
{
	uint32_t len = 16 + PLACE + PAGE;

	put_hdr(p, PUSH, len, src, seq);
	put32(p + HDR, 1);
	put32(p + HDR + 4, 0);
	put64(p + HDR + 8, slot);
	put_places(p + HDR + 16, 1);
	memset(p + HDR + 16 + PLACE, 0x5a, PAGE);
	return HDR + len;
}

/* A CLAIM of a page anywhere in DST's process 1..4. */
static size_t put_claim(uint8_t *p, uint32_t src, uint64_t seq)
{
	put_hdr(p, CLAIM, PLACE, src, seq);
	put32(p + HDR, 1 + rnd() % 4);
	put32(p + HDR + 4, 0);
	put64(p + HDR + 8, rnd() % (ADDR_END / PAGE) * PAGE);
	return HDR + PLACE;
}

/*
 * A CLAIM_REPLY to a claim the node never made (the node counts it as
 * stale), refusing it: EFAULT, ESRCH, ENOMEM, or EEXIST on a node 1..63.
 */
static size_t put_claim_reply(uint8_t *p, uint32_t src, uint64_t seq)
{
	static const uint32_t status[] = { EFAULT, ESRCH, ENOMEM, EEXIST };
	uint32_t st = status[rnd() % 4];

	put_hdr(p, CLAIM_REPLY, CLAIM_REPLY_LEN, src, seq);
	put64(p + HDR, 400 + rnd() % 100);
	put32(p + HDR + 8, st);
	put32(p + HDR + 12, st == EEXIST ? 1 + rnd() % MAX_NODE : 0);
	put64(p + HDR + 16, 0);
	put32(p + HDR + 24, 1 + rnd() % 4);
	put32(p + HDR + 28, 0);
	put64(p + HDR + 32, rnd() % (ADDR_END / PAGE) * PAGE);
	return HDR + CLAIM_REPLY_LEN;
}

/* The generation of the next LAYOUT: every one is newer than the last. */
static uint64_t layout_gen;

/*
 * A LAYOUT of process @mm of @home with @n ranges: each up to 4 GiB, after
 * a gap of up to 1 GiB or none (touching the previous one), from somewhere
 * in the first TiB above 0x10000000; protections of any kind.
 */
static size_t put_layout(uint8_t *p, uint32_t src, uint64_t seq, uint32_t home, uint32_t mm,
			 uint32_t n)
{
	uint64_t addr = PLACE_ADDR + (rnd() % 0x10000) * (1ULL << 24), end;
	uint32_t len = LAYOUT_HDR + RANGE * n, i;

	put_hdr(p, LAYOUT, len, src, seq);
	p += HDR;
	put32(p, home);
	put32(p + 4, mm);
	put64(p + 8, ++layout_gen);
	put32(p + 16, n);
	put32(p + 20, 0);
	for (i = 0; i < n; i++) {
		if (rnd() % 4)
			addr += (1 + rnd() % (1 << 18)) * PAGE;
		end = addr + (1 + rnd() % (1 << 20)) * PAGE;
		put64(p + LAYOUT_HDR + RANGE * i, addr);
		put64(p + LAYOUT_HDR + RANGE * i + 8, end);
		put32(p + LAYOUT_HDR + RANGE * i + 16, rnd() % (PROT_MASK + 1));
		put32(p + LAYOUT_HDR + RANGE * i + 20, 0);
		addr = end;
	}
	return HDR + len;
}

/* A node DST knows that is neither @a nor @b, or 0 if there is none. */
static uint32_t known_other(uint32_t a, uint32_t b)
{
	uint64_t set = known & ~(1ULL << a) & ~(1ULL << b);
	uint32_t id, k;

	if (!set)
		return 0;
	k = rnd() % __builtin_popcountll(set);
	for (id = 1; !(set >> id & 1) || k--; id++)
		;
	return id;
}

/* A node id that is neither @a nor @b, nor one of @not. */
static uint32_t other_node(uint32_t a, uint32_t b, uint64_t not)
{
	uint32_t id;

	do
		id = 1 + rnd() % MAX_NODE;
	while (id == a || id == b || (not >> id & 1));
	return id;
}

static size_t make_case(uint8_t *b, size_t size, uint32_t src, uint32_t dst)
{
	size_t n = put_hello(b, src, dst), i, k;
	uint32_t mm = 0, fwd = 0, fwd_mm = 0;
	int beats = rnd() % 3;

	while (beats--)
		n += put_beat(b + n, src, 2 + beats);
	/* One of SRC's processes (perhaps gone at once), another home's forwarded. */
	if (rnd() % 4 == 0) {
		mm = 1 + rnd() % 4;
		k = rnd() % 5;
		n += put_layout(b + n, src, 20, src, mm, k);
		if (!k)
			mm = 0;
	}
	if (rnd() % 8 == 0) {
		fwd = known_other(src, dst);
		fwd_mm = 1 + rnd() % 4;
		if (fwd)
			n += put_layout(b + n, src, 21, fwd, fwd_mm, 1 + rnd() % 4);
	}
	if (rnd() % 2) {
		n += put_slots(b + n, PULL, src, 10, 0);
		n += put_slots(b + n, FREE, src, 100, 0);
	}
	if (rnd() % 4 == 0)
		n += put_slots(b + n, MOVE, src, 200, other_node(src, dst, 0));
	/* A claim of DST's page, a refusal of a claim DST never made. */
	if (rnd() % 4 == 0)
		n += put_claim(b + n, src, 220);
	if (rnd() % 4 == 0)
		n += put_claim_reply(b + n, src, 230);
	/* The processes are gone: before the HANDOFF, which closes the connection. */
	if (mm)
		n += put_layout(b + n, src, 250, src, mm, 0);
	if (fwd)
		n += put_layout(b + n, src, 251, fwd, fwd_mm, 0);
	if (rnd() % 8 == 0)
		n += put_slots(b + n, HANDOFF, src, 300, other_node(src, dst, known));
	switch (rnd() % 8) {
	case 0: /* flip a few bytes */
	case 1:
		for (k = 1 + rnd() % 3; k; k--)
			b[rnd() % n] ^= 1 << (rnd() % 8);
		break;
	case 2: /* truncate */
		n = rnd() % n;
		break;
	case 3: /* a length field anywhere in a header */
		k = (rnd() % 2 && n > HDR + 8) ? HDR + 8 : 0;
		i = rnd() % 4;
		{
			uint32_t v = i == 0 ? rnd() : i == 1 ? 0xffffffffu : i == 2 ? MAX_PAYLOAD + 1 : 8;

			v = htobe32(v);
			memcpy(b + k + 8, &v, 4);
		}
		break;
	case 4: /* another version (or, now and then, the right one) */
		b[4] = rnd() % (VERSION + 2);
		break;
	case 5: /* garbage */
		n = 1 + rnd() % 64;
		for (i = 0; i < n; i++)
			b[i] = rnd();
		break;
	case 6: /* junk after valid messages */
		k = 1 + rnd() % 40;
		for (i = 0; i < k && n < size; i++)
			b[n++] = rnd();
		break;
	case 7: /* the valid stream as it is */
		break;
	}
	return n;
}

static int send_case(const struct sockaddr_in *a, const uint8_t *b, size_t n)
{
	char sink[64];
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || connect(fd, (const struct sockaddr *)a, sizeof(*a))) {
		perror("wire_fuzz: connect");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (n && write(fd, b, n) != (ssize_t)n) {
		/* The node may close early on a bad header: fine. */
	}
	shutdown(fd, SHUT_WR);
	/* Wait until the node has finished with this connection. */
	while (read(fd, sink, sizeof(sink)) > 0)
		;
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	unsigned long count, i, bad = 0;
	static uint8_t buf[16384];
	uint32_t src, dst;
	char *id, *save;

	if ((argc != 7 && argc != 8) || inet_pton(AF_INET, argv[1], &a.sin_addr) != 1) {
		fprintf(stderr, "usage: wire_fuzz HOST PORT SRC DST COUNT SEED [KNOWN]\n");
		return 2;
	}
	a.sin_port = htons(atoi(argv[2]));
	src = atoi(argv[3]);
	dst = atoi(argv[4]);
	if (!strcmp(argv[5], "--hello") || !strcmp(argv[5], "--push")) {
		size_t n;

		incarnation = strtoull(argv[6], NULL, 0);
		n = put_hello(buf, src, dst);
		if (!strcmp(argv[5], "--hello")) {
			n += put_beat(buf + n, src, 2);
		} else {
			if (argc != 8)
				return 2;
			n += put_push1(buf + n, src, 2, strtoull(argv[7], NULL, 0));
		}
		return send_case(&a, buf, n) ? 1 : 0;
	}
	for (id = argc == 8 ? strtok_r(argv[7], ",", &save) : NULL; id;
	     id = strtok_r(NULL, ",", &save))
		if (atoi(id) >= 1 && atoi(id) <= MAX_NODE)
			known |= 1ULL << atoi(id);
	known |= 1ULL << src;
	count = strtoul(argv[5], NULL, 10);
	rng = strtoull(argv[6], NULL, 10) * 2654435761u + 1;
	for (i = 0; i < count; i++) {
		size_t n = make_case(buf, sizeof(buf), src, dst);

		bad += malformed(buf, n, src, dst);
		if (send_case(&a, buf, n))
			return 1;
		if ((i + 1) % 2000 == 0)
			fprintf(stderr, "wire_fuzz: %lu of %lu sent\n", i + 1, count);
	}
	printf("malformed %lu of %lu\n", bad, count);
	return 0;
}
