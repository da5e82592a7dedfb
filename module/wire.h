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

#include <linux/types.h>

#define ELASTIC_WIRE_MAGIC	0x53504f53	/* "SPOS" */
#define ELASTIC_WIRE_VERSION	1
/* A page plus room for its metadata; nothing bigger is ever sent. */
#define ELASTIC_WIRE_MAX_PAYLOAD	(4096 + 256)

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
	ELASTIC_MSG_PUSH,		/* home -> owner: slot, page; stored */
	ELASTIC_MSG_PUSH_ACK,		/* reply to PUSH or CAP: status */
	ELASTIC_MSG_PULL,		/* home -> owner: slot; answered */
	ELASTIC_MSG_PULL_REPLY,		/* owner -> home: reply, status[, page] */
	ELASTIC_MSG_FREE,		/* home -> owner: slot; dropped */
	ELASTIC_MSG_CAP,		/* set the receiver's hosting cap; acked */
	ELASTIC_MSG_EVACUATE,		/* owner -> home: move your pages off me */
	__ELASTIC_MSG_MAX,
};

/**
 * struct elastic_wire_hello - payload of ELASTIC_MSG_HELLO
 * @dst:	node id the sender believes it is talking to
 * @proto_min:	lowest protocol version the sender speaks
 */
struct elastic_wire_hello {
	__be32 dst;
	__be32 proto_min;
} __packed;

/* Pages travel as 4 KiB: the page size of every SpotOS architecture. */
#define ELASTIC_WIRE_PAGE	4096
/* Slots are numbered from 1 up to this (see ELASTIC_SLOT_BITS). */
#define ELASTIC_WIRE_SLOT_MAX	((1ULL << 40) - 1)

/**
 * struct elastic_wire_slot - start of PUSH, PULL and FREE payloads
 * @slot:	the page's slot at its home, 1..ELASTIC_WIRE_SLOT_MAX.  The
 *		sender of the message is the home.  PUSH has the page after.
 */
struct elastic_wire_slot {
	__be64 slot;
} __packed;

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
 * struct elastic_wire_reply - start of PUSH_ACK and PULL_REPLY payloads
 * @req_seq:	sequence number of the request answered
 * @status:	0 or a positive errno: ENOENT (no such page), ENOSPC (cap
 *		reached), ENOMEM.  A PULL_REPLY with status 0 has the page after.
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
int elastic_wire_parse_hello(const void *buf, size_t len, u32 *dst);
int elastic_wire_parse_slot(const void *buf, size_t len, u64 *slot);
int elastic_wire_parse_cap(const void *buf, size_t len, u64 *max_pages);
int elastic_wire_parse_evacuate(const void *buf, size_t len, bool *on);
int elastic_wire_parse_reply(u32 type, const void *buf, size_t len, u64 *req_seq, int *status);

#endif /* _ELASTIC_WIRE_H */
