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

#endif /* _ELASTIC_WIRE_H */
