// SPDX-License-Identifier: GPL-2.0
/*
 * SpotOS elastic module: sending to members.
 *
 * A node sends its own messages only on the connection it made to each
 * member (the member's sender thread, membership.c, makes it and says
 * HELLO), under the peer's tx_lock so that messages of several threads
 * never interleave.  A failed or partial send closes the connection (the
 * sender thread connects again), so the stream never carries half a
 * message.
 *
 * A member answers some requests on the connection they came in on (a
 * PULL: the reply then carries TCP's acknowledgment of the request), so
 * this node parses its own connection too: a stream parser in the socket's
 * receive callback hands each message to its handler's rx_fast, for the
 * types flagged ELASTIC_RX_BACK only.  Anything else, or a malformed reply,
 * stops the parser and has the sender thread close the connection
 * (counted once in bad_frames) and connect again.  The parser lives in
 * struct elastic_peer and is set up and torn down with tx_sock, under
 * tx_lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kthread.h>
#include <linux/net.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/signal.h>
#include <linux/tcp.h>
#include <net/sock.h>
#include <net/strparser.h>

#include "internal.h"
#include "member.h"
#include "node.h"
#include "transport.h"

/* Connections made to members, to number each (struct elastic_peer.tx_conn). */
static atomic_t elastic_tx_conns = ATOMIC_INIT(0);
static atomic64_t elastic_seq = ATOMIC64_INIT(0);

/**
 * elastic_next_seq - a sequence number for a message
 *
 * Unique on this node, so that replies find their request.
 *
 * Return: the number.
 */
u64 elastic_next_seq(void)
{
	return atomic64_inc_return(&elastic_seq);
}

/**
 * elastic_next_seqs - @n consecutive sequence numbers
 * @n: how many
 *
 * A PULL of n slots is answered on them.
 *
 * Return: the first.
 */
u64 elastic_next_seqs(unsigned int n)
{
	return atomic64_add_return(n, &elastic_seq) - n + 1;
}

/**
 * struct elastic_send_ctx - what a send changed of the sending task
 * @noreclaim:	memalloc_noreclaim_save()'s
 * @blocked:	the task's blocked signals before, for a user task
 * @user:	the send is made by a user task (a fault, a netlink request)
 */
struct elastic_send_ctx {
	unsigned int noreclaim;
	sigset_t blocked;
	bool user;
};

/*
 * Around a send on a member's connection.  Its memory comes from the
 * reserves, without reclaim, as nbd's does: a node short of memory sends
 * the pushes that free it, and its heartbeats, without stalling in
 * reclaim.  A user task (a fault pulling a page, a push on a limit's task
 * work, a netlink request) takes no signal but SIGKILL meanwhile, as
 * cifs's sends do: a signal could end the send part-way, and a connection
 * cut part-way through a message is reset and made again, the message
 * sent again: a fault costs a connection, a process under a stream of
 * signals (a timer, a child's SIGCHLD) many.
 */
static void elastic_send_begin(struct elastic_send_ctx *ctx)
{
	sigset_t mask;

	ctx->noreclaim = memalloc_noreclaim_save();
	ctx->user = !(current->flags & PF_KTHREAD);
	if (ctx->user) {
		siginitsetinv(&mask, sigmask(SIGKILL));
		sigprocmask(SIG_BLOCK, &mask, &ctx->blocked);
	}
}

static void elastic_send_end(struct elastic_send_ctx *ctx)
{
	if (ctx->user)
		sigprocmask(SIG_SETMASK, &ctx->blocked, NULL);
	memalloc_noreclaim_restore(ctx->noreclaim);
}

static int elastic_send(struct socket *sock, const void *buf, size_t len)
{
	struct kvec vec = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_flags = MSG_NOSIGNAL };
	int ret;

	ret = kernel_sendmsg(sock, &msg, &vec, 1, len);
	return ret == len ? 0 : (ret < 0 ? ret : -EIO);
}

static int elastic_send_hello(struct elastic_peer *p, struct socket *sock, u64 seq)
{
	struct {
		struct elastic_wire_hdr hdr;
		struct elastic_wire_hello hello;
	} __packed m;

	elastic_wire_build_hdr(&m.hdr, ELASTIC_MSG_HELLO, sizeof(m.hello), elastic_node_id(), seq);
	m.hello.dst = cpu_to_be32(p->id);
	m.hello.proto_min = cpu_to_be32(ELASTIC_WIRE_VERSION);
	m.hello.incarnation = cpu_to_be64(elastic_node.incarnation);
	return elastic_send(sock, &m, sizeof(m));
}

/*
 * Stop parsing replies on @sock (the sender's connection, attached), then
 * close it.  Under @tx_lock once @sock was published, so that the parser
 * is done before the next connection sets it up again.
 */
static void elastic_tx_release(struct elastic_peer *p, struct socket *sock)
{
	struct sock *sk = sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_user_data = NULL;
	sk->sk_data_ready = p->data_ready;
	write_unlock_bh(&sk->sk_callback_lock);
	elastic_strp_finish(&p->reply_strp, sk);
	sock_release(sock);
}

/*
 * End a send made under p->tx_lock, and drop the lock: a failed or
 * partial send resets the connection (the sender thread reconnects), so
 * the stream never carries half a message: with a reset, not a close,
 * which would send the half message first and have the member count it
 * as a bad frame.  Counts @n messages sent.
 */
static int elastic_peer_xmit_done(struct elastic_peer *p, int ret, unsigned int n)
{
	if (ret && p->tx_sock) {
		sock_no_linger(p->tx_sock->sk);
		elastic_tx_release(p, p->tx_sock);
		p->tx_sock = NULL;
	}
	mutex_unlock(&p->tx_lock);
	if (!ret)
		atomic64_add(n, &p->tx_msgs);
	return ret;
}

/* elastic_peer_xmit(), and with @nowait elastic_peer_sendv_nowait(). */
static int __elastic_peer_xmit(struct elastic_peer *p, u32 type, u64 seq,
			       const struct kvec *parts, int nparts, struct page * const *pages,
			       int npages, bool more, bool nowait)
{
	struct bio_vec bvec[ELASTIC_WIRE_BATCH];
	struct kvec vec[ELASTIC_SEND_MAX_PARTS + 1];
	struct elastic_send_ctx ctx;
	struct elastic_wire_hdr hdr;
	struct msghdr msg = {};
	size_t len = 0, head;
	int i, ret;

	if (WARN_ON_ONCE(nparts > ELASTIC_SEND_MAX_PARTS || npages > ELASTIC_WIRE_BATCH))
		return -EINVAL;
	for (i = 0; i < nparts; i++) {
		vec[i + 1] = parts[i];
		len += parts[i].iov_len;
	}
	for (i = 0; i < npages; i++)
		bvec_set_page(&bvec[i], pages[i], PAGE_SIZE, 0);
	elastic_wire_build_hdr(&hdr, type, len + npages * PAGE_SIZE, elastic_node_id(), seq);
	vec[0] = (struct kvec){ .iov_base = &hdr, .iov_len = sizeof(hdr) };
	head = len + sizeof(hdr);
	if (type == ELASTIC_MSG_HEARTBEAT) {
		/*
		 * Another send in progress carries the news that this node
		 * lives (members count any message); a heartbeat must not
		 * wait behind a push that waits for the member's window.
		 */
		if (!mutex_trylock(&p->tx_lock))
			return 0;
	} else if (nowait) {
		if (!mutex_trylock(&p->tx_lock))
			return -EAGAIN;
		/* All of it fits now, or nothing is sent: never half. */
		if (p->tx_sock && sk_stream_wspace(p->tx_sock->sk) < (int)head) {
			mutex_unlock(&p->tx_lock);
			return -EAGAIN;
		}
	} else {
		mutex_lock(&p->tx_lock);
	}
	elastic_send_begin(&ctx);
	ret = -ENOTCONN;
	if (p->tx_sock) {
		msg.msg_flags = MSG_NOSIGNAL | (more || npages ? MSG_MORE : 0) |
				(nowait ? MSG_DONTWAIT : 0);
		ret = kernel_sendmsg(p->tx_sock, &msg, vec, nparts + 1, head);
		ret = ret == head ? 0 : (ret < 0 ? ret : -EIO);
	}
	if (!ret && npages) {
		msg.msg_flags = MSG_NOSIGNAL | MSG_SPLICE_PAGES | (more ? MSG_MORE : 0);
		iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, bvec, npages, npages * PAGE_SIZE);
		ret = sock_sendmsg(p->tx_sock, &msg);
		ret = ret == npages * PAGE_SIZE ? 0 : (ret < 0 ? ret : -EIO);
	}
	elastic_send_end(&ctx);
	/* Nothing of it went out: the stream is whole, the caller retries. */
	if (nowait && ret == -EAGAIN) {
		mutex_unlock(&p->tx_lock);
		return ret;
	}
	return elastic_peer_xmit_done(p, ret, 1);
}

/**
 * elastic_peer_xmit - send one message on @p's connection
 * @p: the member, referenced
 * @type: enum elastic_wire_type
 * @seq: sequence number
 * @parts: the start of the payload (at most ELASTIC_SEND_MAX_PARTS)
 * @nparts: how many parts
 * @pages: the rest of the payload, whole pages sent as they are
 *	(MSG_SPLICE_PAGES: the socket takes references, no copy)
 * @npages: how many pages (at most ELASTIC_WIRE_BATCH)
 * @more: more messages follow at once (see elastic_peer_sendv_pages())
 *
 * Return: 0, -ENOTCONN while not connected, or the socket's error.
 */
int elastic_peer_xmit(struct elastic_peer *p, u32 type, u64 seq, const struct kvec *parts,
		      int nparts, struct page * const *pages, int npages, bool more)
{
	return __elastic_peer_xmit(p, type, seq, parts, nparts, pages, npages, more, false);
}

/**
 * elastic_peer_sendv_nowait - send a small message to member @id at once, or not
 * @id: node id of a member other than this node
 * @type: enum elastic_wire_type
 * @seq: sequence number
 * @parts: the payload, in order (at most ELASTIC_SEND_MAX_PARTS)
 * @nparts: how many parts
 *
 * For callers that hold a lock nobody may hold while waiting for another
 * node (a fault's mmap_lock): never waits for the connection's lock or
 * for room in its socket.
 *
 * Return: as elastic_peer_sendv(), or -EAGAIN when the message could not
 * go at once (another send holds the connection, or its buffer is full);
 * nothing of it was sent then.
 */
int elastic_peer_sendv_nowait(u32 id, u32 type, u64 seq, const struct kvec *parts, int nparts)
{
	struct elastic_peer *p = elastic_peer_ref(id);
	int ret;

	if (!p)
		return -ENOENT;
	ret = __elastic_peer_xmit(p, type, seq, parts, nparts, NULL, 0, false, true);
	elastic_peer_unref(p);
	return ret;
}

/**
 * elastic_peer_sendv_pages - send a message made of parts and pages to member @id
 * @id: node id of a member other than this node
 * @type: enum elastic_wire_type
 * @seq: sequence number (elastic_next_seq()); replies carry it back
 * @parts: the start of the payload, in order (at most ELASTIC_SEND_MAX_PARTS)
 * @nparts: how many parts
 * @pages: the rest of the payload, whole pages (at most ELASTIC_WIRE_BATCH),
 *	sent without a copy: the socket keeps references to them until they
 *	are acknowledged, and sends what they hold then (a page written
 *	meanwhile must not be trusted by the caller, see elastic_push_commit())
 * @npages: how many pages
 * @more: more messages follow at once: let TCP put them in one segment
 *	(the last of a burst must be sent without, or it waits for the next)
 *
 * May sleep (at most the socket's send timeout).
 *
 * Return: 0, -ENOENT when @id is no member, -ENOTCONN while it is not
 * connected, or the socket's error.
 */
int elastic_peer_sendv_pages(u32 id, u32 type, u64 seq, const struct kvec *parts, int nparts,
			     struct page * const *pages, int npages, bool more)
{
	struct elastic_peer *p = elastic_peer_ref(id);
	int ret;

	if (!p)
		return -ENOENT;
	ret = elastic_peer_xmit(p, type, seq, parts, nparts, pages, npages, more);
	elastic_peer_unref(p);
	return ret;
}

/**
 * elastic_peer_sendv - send a message made of several parts to member @id
 * @id: node id of a member other than this node
 * @type: enum elastic_wire_type
 * @seq: sequence number (elastic_next_seq()); replies carry it back
 * @parts: the payload, in order (at most ELASTIC_SEND_MAX_PARTS)
 * @nparts: how many parts
 * @more: more messages follow at once (see elastic_peer_sendv_pages())
 *
 * Return: as elastic_peer_sendv_pages().
 */
int elastic_peer_sendv(u32 id, u32 type, u64 seq, const struct kvec *parts, int nparts,
		       bool more)
{
	return elastic_peer_sendv_pages(id, type, seq, parts, nparts, NULL, 0, more);
}

/**
 * elastic_peer_send - send a message of one or two parts to member @id
 * @id: node id of a member other than this node
 * @type: enum elastic_wire_type
 * @seq: sequence number (elastic_next_seq()); replies carry it back
 * @a: first part of the payload, @alen bytes
 * @alen: its length
 * @b: second part (a page, say), @blen bytes, or NULL
 * @blen: its length
 *
 * Return: as elastic_peer_sendv().
 */
int elastic_peer_send(u32 id, u32 type, u64 seq, const void *a, size_t alen,
		      const void *b, size_t blen)
{
	struct kvec parts[2] = {
		{ .iov_base = (void *)a, .iov_len = alen },
		{ .iov_base = (void *)b, .iov_len = blen },
	};

	return elastic_peer_sendv(id, type, seq, parts, b ? 2 : 1, false);
}

/* ---- replies on this node's own connections ---- */

static struct elastic_peer *elastic_peer_of(struct strparser *strp)
{
	return container_of(strp, struct elastic_peer, reply_strp);
}

static void elastic_reply_abort(struct strparser *strp, int err)
{
	struct elastic_peer *p = elastic_peer_of(strp);

	strp_stop(strp);
	WRITE_ONCE(p->reply_err, err ? err : -EPROTO);
	wake_up_process(p->tx_task);
}

/* A whole message from the member, on this node's connection to it. */
static void elastic_reply_rcv(struct strparser *strp, struct sk_buff *skb)
{
	struct elastic_peer *p = elastic_peer_of(strp);
	unsigned int off = strp_msg(skb)->offset;
	const struct elastic_msg_handler *h;
	struct elastic_wire_hdr hdr;
	struct elastic_wire_msg m;
	int ret;

	ret = skb_copy_bits(skb, off, &hdr, sizeof(hdr)) ?:
	      elastic_wire_parse_hdr(&hdr, sizeof(hdr), &m);
	if (!ret) {
		h = elastic_msg_handler(m.type);
		if (m.src != p->id || !h || !(h->flags & ELASTIC_RX_BACK) || !h->rx_fast)
			ret = -EPROTO;
		else
			ret = h->rx_fast(p->id, &m, skb, off + sizeof(hdr));
	}
	consume_skb(skb);
	if (ret) {
		elastic_reply_abort(strp, ret);
		return;
	}
	WRITE_ONCE(p->last_heard, jiffies);
	atomic64_inc(&p->rx_msgs);
}

static const struct strp_callbacks elastic_reply_cb = {
	.parse_msg = elastic_strp_parse,
	.rcv_msg = elastic_reply_rcv,
	.abort_parser = elastic_reply_abort,
};

static void elastic_reply_data_ready(struct sock *sk)
{
	struct elastic_peer *p;

	read_lock_bh(&sk->sk_callback_lock);
	p = sk->sk_user_data;
	if (p)
		elastic_strp_ready(&p->reply_strp);
	read_unlock_bh(&sk->sk_callback_lock);
}

/* Parse what the member sends back on @sock, the sender's new connection. */
static int elastic_reply_attach(struct elastic_peer *p, struct socket *sock)
{
	struct sock *sk = sock->sk;
	int ret;

	WRITE_ONCE(p->reply_err, 0);
	ret = strp_init(&p->reply_strp, sk, &elastic_reply_cb);
	if (WARN_ON_ONCE(ret))
		return ret;
	write_lock_bh(&sk->sk_callback_lock);
	p->data_ready = sk->sk_data_ready;
	sk->sk_user_data = p;
	sk->sk_data_ready = elastic_reply_data_ready;
	write_unlock_bh(&sk->sk_callback_lock);
	return 0;
}

static struct socket *elastic_connect(struct elastic_peer *p)
{
	struct socket *sock;
	int ret;

	ret = sock_create_kern(&init_net, PF_INET, SOCK_STREAM, IPPROTO_TCP, &sock);
	if (ret)
		return NULL;
	/* A blocking connect waits at most sk_sndtimeo: a dead peer never answers. */
	sock->sk->sk_sndtimeo = HZ;
	tcp_sock_set_nodelay(sock->sk);
	elastic_sock_memalloc(sock);
	ret = kernel_connect(sock, (struct sockaddr *)&p->addr, sizeof(p->addr), 0);
	if (ret) {
		sock_release(sock);
		return NULL;
	}
	return sock;
}

/**
 * elastic_tx_connect - connect to member @p, say HELLO, and send on it
 * @p: the member; called by its sender thread only
 *
 * Return: the new connection, published as @p->tx_sock, or NULL.
 */
struct socket *elastic_tx_connect(struct elastic_peer *p)
{
	struct socket *sock = elastic_connect(p);

	if (sock && elastic_reply_attach(p, sock)) {
		sock_release(sock);
		return NULL;
	}
	if (sock && elastic_send_hello(p, sock, elastic_next_seq())) {
		elastic_tx_release(p, sock);
		return NULL;
	}
	if (!sock)
		return NULL;
	/*
	 * Connected: a send may now wait for the member's window as long as
	 * it takes to declare the member dead.  A second (the connect's
	 * bound) cut 128 KiB pushes to a slow member part-way, and the
	 * connection with them.
	 */
	sock->sk->sk_sndtimeo = elastic_dead_after();
	mutex_lock(&p->tx_lock);
	p->tx_sock = sock;
	WRITE_ONCE(p->tx_conn, atomic_inc_return(&elastic_tx_conns));
	mutex_unlock(&p->tx_lock);
	atomic64_inc(&p->tx_msgs);
	return sock;
}

/**
 * elastic_tx_close - close the connection to member @p, if any
 * @p: the member
 */
void elastic_tx_close(struct elastic_peer *p)
{
	mutex_lock(&p->tx_lock);
	if (p->tx_sock)
		elastic_tx_release(p, p->tx_sock);
	p->tx_sock = NULL;
	mutex_unlock(&p->tx_lock);
}
