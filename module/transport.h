/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SpotOS elastic module: the transport between nodes, and membership.
 *
 * Files, from the bottom up:
 *  - msg.c: the handler table, the stream parsers' common parts, the
 *    transport's counters.
 *  - transport.c: sending, on the connection this node made to each member,
 *    and the parser of the replies that come back on it.
 *  - receive.c: the listener, accepted connections, their parsers and
 *    receiver threads, and the dispatch of messages through the table.
 *  - membership.c: members added and removed, their sender threads
 *    (connect, HELLO, heartbeats), liveness.
 *
 * The transport knows HELLO and HEARTBEAT, its own; every other message
 * type is a handler that the memory layer registers at load (struct
 * elastic_msg_handler), with where it may run.
 */
#ifndef _ELASTIC_TRANSPORT_H
#define _ELASTIC_TRANSPORT_H

#include <linux/types.h>
#include <linux/uio.h>

#include "wire.h"

struct elastic_node_info;
struct elastic_peer;
struct elastic_conn;
struct page;
struct sk_buff;
struct sock;
struct socket;
struct strparser;

/**
 * struct elastic_transport_stats - transport counters
 * @bad_frames:		connections closed for a malformed or unexpected message
 * @conn_refused:	connections refused for coming from no member's address
 * @pulls_ahead:	messages served first (ELASTIC_RX_FIRST) that arrived while
 *			other messages of their connection were queued or being
 *			handled
 */
struct elastic_transport_stats {
	atomic64_t bad_frames;
	atomic64_t conn_refused;
	atomic64_t pulls_ahead;
};

extern struct elastic_transport_stats elastic_tstats;

/* struct elastic_msg_handler.flags */
/*
 * Served before the messages queued ahead of it on its connection, even
 * between two pages of one being handled (elastic_rx_serve_first()): a
 * request whose answer nothing queued before it can change (a PULL).
 */
#define ELASTIC_RX_FIRST	BIT(0)
/*
 * May also come back on the connection this node made to the sender, as
 * the reply to a request sent there (a PULL_REPLY): handled by @rx_fast
 * only, anything else there closes that connection.
 */
#define ELASTIC_RX_BACK		BIT(1)

/**
 * struct elastic_msg_handler - what to do with one type of message
 * @rx:		handle it in the receiver thread of the connection it came
 *		in on: process context, may sleep and send, but must never
 *		wait for anything that a receiver delivers (a reply), or two
 *		nodes could each wait for the other's receiver.  @m has been
 *		parsed and its sender is the connection's member; @payload
 *		holds @m->len bytes.  Return 0, or -errno for a malformed
 *		message: the connection closes and counts a bad frame.
 * @rx_fast:	optional: try to handle it at once in the socket's receive
 *		callback (softirq, or process context with the socket locked;
 *		must not sleep), from @skb at @off (the payload).  Return 0
 *		when handled, else -errno: the message then goes to @rx in
 *		the receiver thread, which validates it again.  Only while
 *		no other message of the connection waits for the thread.
 * @flags:	ELASTIC_RX_FIRST, ELASTIC_RX_BACK
 */
struct elastic_msg_handler {
	int (*rx)(struct elastic_conn *c, const struct elastic_wire_msg *m, const u8 *payload);
	int (*rx_fast)(u32 src, const struct elastic_wire_msg *m, const struct sk_buff *skb,
		       unsigned int off);
	unsigned int flags;
};

/* msg.c */
void elastic_msg_register(u32 type, const struct elastic_msg_handler *h);
void elastic_msg_unregister(u32 type);
const struct elastic_msg_handler *elastic_msg_handler(u32 type);
int elastic_strp_parse(struct strparser *strp, struct sk_buff *skb);
void elastic_strp_ready(struct strparser *strp);
void elastic_strp_finish(struct strparser *strp, struct sock *sk);
void elastic_sock_memalloc(struct socket *sock);
void elastic_count_bad_frame(void);

/* transport.c: sending */
/* A message's parts before its pages: at most the slots and their places. */
#define ELASTIC_SEND_MAX_PARTS	2
int elastic_peer_sendv(u32 id, u32 type, u64 seq, const struct kvec *parts, int nparts,
		       bool more);
int elastic_peer_sendv_pages(u32 id, u32 type, u64 seq, const struct kvec *parts, int nparts,
			     struct page * const *pages, int npages, bool more);
int elastic_peer_sendv_nowait(u32 id, u32 type, u64 seq, const struct kvec *parts, int nparts);
int elastic_peer_send(u32 id, u32 type, u64 seq, const void *a, size_t alen,
		      const void *b, size_t blen);
u64 elastic_next_seq(void);
u64 elastic_next_seqs(unsigned int n);
int elastic_peer_xmit(struct elastic_peer *p, u32 type, u64 seq, const struct kvec *parts,
		      int nparts, struct page * const *pages, int npages, bool more);
struct socket *elastic_tx_connect(struct elastic_peer *p);
void elastic_tx_close(struct elastic_peer *p);

/* receive.c */
u32 elastic_rx_src(const struct elastic_conn *c);
int elastic_rx_reply_each(struct elastic_conn *c, u32 type, unsigned int n, size_t plen,
			  const void *payloads, struct page * const *pages);
void elastic_rx_serve_first(struct elastic_conn *c);
int elastic_rx_listen(u16 port);
void elastic_rx_unlisten(void);
void elastic_rx_shutdown(u32 peer_id);
void elastic_rx_wait_all(void);
unsigned long elastic_rx_last_sign(u32 id, unsigned long last);

/* membership.c */
int elastic_cluster_init(void);
void elastic_cluster_exit(void);
int elastic_cluster_listen(void);
bool elastic_cluster_has_members(void);
int elastic_cluster_set_node_id(u32 id);
int elastic_node_add(u32 id, __be32 addr, u16 port);
int elastic_node_del(u32 id);
int elastic_node_read(u32 id, struct elastic_node_info *info);

#endif /* _ELASTIC_TRANSPORT_H */
