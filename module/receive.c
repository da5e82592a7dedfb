// SPDX-License-Identifier: GPL-2.0
/*
 * SpotOS elastic module: receiving from members.
 *
 * A listener thread (elastic-listen) accepts connections on listen_port,
 * only from member addresses, and hands each to a receiver: a stream
 * parser (net/strparser) in the socket's sk_data_ready() callback, in
 * softirq, plus a thread (elastic-rx) for what needs process context.
 * The first message must be a HELLO from the member at that address.
 *
 * The parser cuts messages out of the socket's buffers; a heartbeat, or a
 * message whose handler has rx_fast (a reply to one of this node's
 * requests: a pulled page goes from the socket's buffers into the faulting
 * task's page, and the socket wakes that task), is handled right there.
 * Everything else is queued to the connection's thread, which calls the
 * type's handler (struct elastic_msg_handler); while any message waits
 * there, replies queue behind it, so a connection's messages are handled
 * in the order they were sent, with one exception: types flagged
 * ELASTIC_RX_FIRST go to a second queue that the thread takes first, and
 * a handler part-way through a long message serves them between two of
 * its pages (elastic_rx_serve_first()).  With ELASTIC_RXQ_MAX messages
 * queued the parser pauses: the rest stays in the socket, and TCP's
 * window holds the sender back.
 *
 * Anything malformed or unexpected closes that connection and counts in
 * bad_frames; receivers end on their own and free themselves.
 *
 * Locking: elastic_conns and the listener under elastic_conns_lock (a
 * mutex: sockets on the list are shut down while holding it); a
 * connection's parser under its socket's lock; its queues under their own
 * spinlocks.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/in.h>
#include <linux/kthread.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <net/sock.h>
#include <net/strparser.h>

#include "internal.h"
#include "member.h"
#include "node.h"
#include "transport.h"

/**
 * struct elastic_conn - an accepted connection and its receiver thread
 * @list:	in elastic_conns, under elastic_conns_lock
 * @sock:	the connection
 * @peer_id:	member it belongs to, once its HELLO was accepted; else 0.
 *		Written by the receiver thread, read with READ_ONCE by the
 *		receive callback
 * @strp:	cuts the stream into messages; used under the socket's lock
 *		(bh_lock_sock in softirq, lock_sock in process context)
 * @rxq:	messages for the receiver thread (its own spinlock)
 * @firstq:	messages of types flagged ELASTIC_RX_FIRST, which the thread
 *		handles before @rxq's (its own spinlock)
 * @backlog:	messages queued on @rxq or @firstq or being handled by the
 *		thread; while not zero, replies queue too, to keep the
 *		connection's order
 * @err:	the parser's error once it stopped; READ_ONCE/WRITE_ONCE
 * @nested_err:	an error while the thread served @firstq part-way through
 *		another message (elastic_rx_serve_first()); the thread's own
 * @wq:		the receiver thread waits here for @rxq, @firstq, @err or the end
 * @data_ready:	the socket's callbacks before this connection's, restored
 * @state_change: when the thread ends (under sk_callback_lock)
 * @burst_hdr:	headers of the replies to one request, sent back on @sock by
 *		the receiver thread (the only sender on it)
 * @burst_vec:	their parts
 */
struct elastic_conn {
	struct list_head list;
	struct socket *sock;
	u32 peer_id;
	struct strparser strp;
	struct sk_buff_head rxq;
	struct sk_buff_head firstq;
	atomic_t backlog;
	int err;
	int nested_err;
	wait_queue_head_t wq;
	void (*data_ready)(struct sock *sk);
	void (*state_change)(struct sock *sk);
	struct elastic_wire_hdr burst_hdr[ELASTIC_WIRE_BATCH];
	struct kvec burst_vec[3 * ELASTIC_WIRE_BATCH];
};

static LIST_HEAD(elastic_conns);
static DEFINE_MUTEX(elastic_conns_lock);
static atomic_t elastic_nconns = ATOMIC_INIT(0);
static DECLARE_WAIT_QUEUE_HEAD(elastic_conns_wq);

static struct socket *elastic_listen_sock;
static struct task_struct *elastic_listen_task;

#define ELASTIC_MSG_MAX		(sizeof(struct elastic_wire_hdr) + ELASTIC_WIRE_MAX_PAYLOAD)
/*
 * Messages queued for a receiver before the parser pauses: unread data
 * then stays in the socket, and TCP's window holds the sender back.
 */
#define ELASTIC_RXQ_MAX		4
/*
 * The parser waits until a whole message is in the socket's buffer:
 * room for several of the largest, whatever the skbs' overhead
 * (sock_set_rcvbuf() doubles it, as SO_RCVBUF does).
 */
#define ELASTIC_RCVBUF		(4 * ELASTIC_MSG_MAX)

/**
 * elastic_rx_src - the member a connection's messages come from
 * @c: the connection, as given to a handler
 *
 * Return: its node id.
 */
u32 elastic_rx_src(const struct elastic_conn *c)
{
	return c->peer_id;
}

static struct elastic_conn *elastic_conn_of(struct strparser *strp)
{
	return container_of(strp, struct elastic_conn, strp);
}

/*
 * Parse the header of the message in @skb into @m, if it comes from the
 * connection's member (whose HELLO was accepted).  Return 0 if so.
 */
static int elastic_rx_peek(struct elastic_conn *c, struct sk_buff *skb,
			   struct elastic_wire_msg *m)
{
	u32 peer = READ_ONCE(c->peer_id);
	struct elastic_wire_hdr h;

	if (!peer || skb_copy_bits(skb, strp_msg(skb)->offset, &h, sizeof(h)) ||
	    elastic_wire_parse_hdr(&h, sizeof(h), m) || m->src != peer)
		return -EAGAIN;
	return 0;
}

/* What a heartbeat says: the room its sender has for others. */
static int elastic_rx_heartbeat(struct elastic_peer *p, const struct elastic_wire_msg *m,
				const u8 *payload)
{
	u64 room;
	int ret = elastic_wire_parse_heartbeat(payload, m->len, &room);

	if (!ret)
		WRITE_ONCE(p->room, room);
	return ret;
}

static int elastic_rx_heartbeat_skb(struct elastic_peer *p, const struct elastic_wire_msg *m,
				    const struct sk_buff *skb, unsigned int off)
{
	struct elastic_wire_heartbeat hb;

	if (m->len != sizeof(hb) || skb_copy_bits(skb, off, &hb, sizeof(hb)))
		return -EMSGSIZE;
	return elastic_rx_heartbeat(p, m, (const u8 *)&hb);
}

/*
 * Handle a heartbeat or a message with a fast handler (@m, in @skb) from
 * the connection's member at once.  Return 0 when handled, else an error:
 * the receiver thread then takes the message, validates it again and
 * closes the connection if it is bad (counting it), as for any other
 * message.
 */
static int elastic_rx_fast(const struct elastic_wire_msg *m, struct sk_buff *skb)
{
	unsigned int off = strp_msg(skb)->offset + sizeof(struct elastic_wire_hdr);
	const struct elastic_msg_handler *h = elastic_msg_handler(m->type);
	u32 peer = m->src;
	struct elastic_peer *p;
	int ret = -EAGAIN;

	rcu_read_lock();
	p = elastic_peer_rcu(peer);
	/* A member coming back up is announced by the thread: that sleeps. */
	if (p && READ_ONCE(p->state) == ELASTIC_NODE_STATE_UP) {
		if (m->type == ELASTIC_MSG_HEARTBEAT)
			ret = elastic_rx_heartbeat_skb(p, m, skb, off);
		else if (h && h->rx_fast)
			ret = h->rx_fast(peer, m, skb, off);
		if (!ret) {
			WRITE_ONCE(p->last_heard, jiffies);
			atomic64_inc(&p->rx_msgs);
		}
	}
	rcu_read_unlock();
	return ret;
}

/* A message from member @id arrived (any context). */
static void elastic_rx_heard(u32 id)
{
	struct elastic_peer *p;

	rcu_read_lock();
	p = elastic_peer_rcu(id);
	if (p)
		WRITE_ONCE(p->last_heard, jiffies);
	rcu_read_unlock();
}

/* A whole message from the parser; under the socket lock. */
static void elastic_strp_rcv(struct strparser *strp, struct sk_buff *skb)
{
	struct elastic_conn *c = elastic_conn_of(strp);
	const struct elastic_msg_handler *h;
	struct elastic_wire_msg m;
	bool known = !elastic_rx_peek(c, skb, &m);
	bool first = false;

	if (known) {
		h = elastic_msg_handler(m.type);
		first = h && (h->flags & ELASTIC_RX_FIRST);
	}
	if (known && !atomic_read(&c->backlog) && !elastic_rx_fast(&m, skb)) {
		consume_skb(skb);
		return;
	}
	/*
	 * Its arrival shows the member lives, however long the thread takes
	 * to handle it: a member must not be declared dead while its
	 * messages wait here (a receiver storing a push's pages on a node
	 * short of memory may take seconds).
	 */
	if (known)
		elastic_rx_heard(m.src);
	/* Other messages queued or being handled: this one goes first. */
	if (first && atomic_read(&c->backlog) > skb_queue_len(&c->firstq))
		atomic64_inc(&elastic_tstats.pulls_ahead);
	atomic_inc(&c->backlog);
	skb_queue_tail(first ? &c->firstq : &c->rxq, skb);
	if (skb_queue_len(&c->rxq) + skb_queue_len(&c->firstq) >= ELASTIC_RXQ_MAX)
		strp_pause(strp);
	wake_up(&c->wq);
}

/* A malformed header (or a message larger than allowed): stop reading. */
static void elastic_strp_abort(struct strparser *strp, int err)
{
	struct elastic_conn *c = elastic_conn_of(strp);

	strp_stop(strp);
	WRITE_ONCE(c->err, err ? err : -EPROTO);
	wake_up(&c->wq);
}

static const struct strp_callbacks elastic_strp_cb = {
	.parse_msg = elastic_strp_parse,
	.rcv_msg = elastic_strp_rcv,
	.abort_parser = elastic_strp_abort,
};

static void elastic_sk_data_ready(struct sock *sk)
{
	struct elastic_conn *c;

	read_lock_bh(&sk->sk_callback_lock);
	c = sk->sk_user_data;
	if (c)
		elastic_strp_ready(&c->strp);
	read_unlock_bh(&sk->sk_callback_lock);
}

/* End of stream, reset or local shutdown: wake the receiver to see it. */
static void elastic_sk_state_change(struct sock *sk)
{
	void (*next)(struct sock *sk) = NULL;
	struct elastic_conn *c;

	read_lock_bh(&sk->sk_callback_lock);
	c = sk->sk_user_data;
	if (c) {
		wake_up(&c->wq);
		next = c->state_change;
	}
	read_unlock_bh(&sk->sk_callback_lock);
	if (next)
		next(sk);
}

/* Put the connection's callbacks in place; no message is parsed before. */
static void elastic_conn_attach(struct elastic_conn *c)
{
	struct sock *sk = c->sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	c->data_ready = sk->sk_data_ready;
	c->state_change = sk->sk_state_change;
	sk->sk_user_data = c;
	sk->sk_data_ready = elastic_sk_data_ready;
	sk->sk_state_change = elastic_sk_state_change;
	write_unlock_bh(&sk->sk_callback_lock);
	/* What arrived before the callbacks were in place. */
	strp_check_rcv(&c->strp);
}

static void elastic_conn_detach(struct elastic_conn *c)
{
	struct sock *sk = c->sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_user_data = NULL;
	sk->sk_data_ready = c->data_ready;
	sk->sk_state_change = c->state_change;
	write_unlock_bh(&sk->sk_callback_lock);
	elastic_strp_finish(&c->strp, sk);
	skb_queue_purge(&c->firstq);
	skb_queue_purge(&c->rxq);
}

/**
 * elastic_rx_reply_each - answer a request with several replies of one type
 * @c: the connection the request came in on, as given to its handler
 * @type: enum elastic_wire_type
 * @n: how many messages (at most ELASTIC_WIRE_BATCH)
 * @plen: the bytes of each message's first part
 * @payloads: the first parts, @plen bytes each, one after the other
 * @pages: for each message a page that follows its first part, or NULL
 *	for none (not highmem: the page is sent from its kernel address)
 *
 * Only from the handler of the request, in @c's receiver thread: the
 * replies go back on that connection, as in any request-response protocol,
 * so that they carry TCP's acknowledgment of the request (on this node's
 * own connection to the member it would need a packet of its own: a virtio
 * kick here and an interrupt there, in the middle of each remote fault).
 * The thread is the only sender there: no lock.  The messages get
 * consecutive sequence numbers.  One sendmsg() for all lets TCP fill
 * full-sized segments: messages sent one by one leave as soon as each has
 * a segment's worth, even with MSG_MORE.  The pages are copied into the
 * socket before this returns.  A failed or partial send shuts the
 * connection down, so the stream never carries half a message; the thread
 * then ends with it, and the member connects again.
 *
 * Return: 0, or the socket's error.
 */
int elastic_rx_reply_each(struct elastic_conn *c, u32 type, unsigned int n, size_t plen,
			  const void *payloads, struct page * const *pages)
{
	struct msghdr msg = { .msg_flags = MSG_NOSIGNAL };
	unsigned int i, k = 0;
	struct elastic_peer *p;
	size_t len = 0;
	u64 seq;
	int ret;

	if (WARN_ON_ONCE(!n || n > ELASTIC_WIRE_BATCH))
		return -EINVAL;
	seq = elastic_next_seqs(n);
	for (i = 0; i < n; i++) {
		size_t mlen = plen + (pages[i] ? PAGE_SIZE : 0);

		elastic_wire_build_hdr(&c->burst_hdr[i], type, mlen, elastic_node_id(), seq + i);
		c->burst_vec[k++] = (struct kvec){ &c->burst_hdr[i], sizeof(c->burst_hdr[i]) };
		c->burst_vec[k++] = (struct kvec){ (void *)payloads + i * plen, plen };
		if (pages[i])
			c->burst_vec[k++] = (struct kvec){ page_address(pages[i]), PAGE_SIZE };
		len += sizeof(c->burst_hdr[i]) + mlen;
	}
	ret = kernel_sendmsg(c->sock, &msg, c->burst_vec, k, len);
	if (ret != len) {
		/* The thread ends after this message: no bad frame. */
		c->nested_err = -ECONNRESET;
		kernel_sock_shutdown(c->sock, SHUT_RDWR);
		return ret < 0 ? ret : -EIO;
	}
	rcu_read_lock();
	p = elastic_peer_rcu(c->peer_id);
	if (p)
		atomic64_add(n, &p->tx_msgs);
	rcu_read_unlock();
	return 0;
}

/* Anything that may end the connection: checked without sleeping. */
static bool elastic_conn_done(struct elastic_conn *c)
{
	struct sock *sk = c->sock->sk;

	return READ_ONCE(c->err) || (READ_ONCE(sk->sk_shutdown) & RCV_SHUTDOWN) ||
	       READ_ONCE(sk->sk_err);
}

/*
 * Has the connection ended?  Return 0 if not (more messages may be
 * queued now), else -ECONNRESET for an end between messages or a socket
 * error, -EBADMSG for an end part-way through a message (a truncated
 * one), or the parser's error.
 */
static int elastic_conn_ended(struct elastic_conn *c)
{
	struct sock *sk = c->sock->sk;
	int ret = READ_ONCE(c->err);

	if (ret || !elastic_conn_done(c))
		return ret;
	/*
	 * A reset ends the stream wherever it is: the member gave up a send
	 * part-way (it resets its connection rather than let half a message
	 * through), which is no malformed message.
	 */
	if (READ_ONCE(sk->sk_err))
		return -ECONNRESET;
	lock_sock(sk);
	/* Parse what is left: the queue may be empty only for the moment. */
	__strp_unpause(&c->strp);
	if (skb_queue_empty(&c->rxq) && skb_queue_empty(&c->firstq) && !READ_ONCE(c->err))
		ret = c->strp.skb_head || !skb_queue_empty(&sk->sk_receive_queue) ?
			-EBADMSG : -ECONNRESET;
	release_sock(sk);
	return ret ?: READ_ONCE(c->err);
}

/* The first message on a connection: a HELLO from the member at that address. */
static int elastic_rx_hello(struct elastic_conn *c, const struct elastic_wire_msg *m,
			    const u8 *payload)
{
	struct sockaddr_in from;
	struct elastic_peer *p;
	u64 inc, old = 0;
	u32 dst;
	int ret;

	if (m->type != ELASTIC_MSG_HELLO)
		return -EPROTO;
	ret = elastic_wire_parse_hello(payload, m->len, &dst, &inc);
	if (ret)
		return ret;
	if (dst != elastic_node_id())
		return -EPROTO;
	/* Outside RCU: getpeername takes the socket lock, which sleeps. */
	if (kernel_getpeername(c->sock, (struct sockaddr *)&from) < 0)
		return -EPROTO;
	rcu_read_lock();
	p = elastic_peer_rcu(m->src);
	ret = -EPROTO;
	if (p && p->tx_task && from.sin_addr.s_addr == p->addr.sin_addr.s_addr) {
		old = xchg(&p->incarnation, inc);
		ret = 0;
	}
	rcu_read_unlock();
	if (ret)
		return ret;
	WRITE_ONCE(c->peer_id, m->src);
	if (old && old != inc)
		elastic_member_restarted(m->src);
	return 0;
}

/*
 * Handle one message (@buf, header and payload) in the receiver thread.
 * Return 0 to go on, or an error to close the connection (counted as a
 * bad frame).
 */
static int elastic_rx_one(struct elastic_conn *c, const u8 *buf)
{
	const struct elastic_msg_handler *h;
	struct elastic_wire_msg m;
	struct elastic_peer *p;
	const u8 *payload;
	bool up = false;
	int ret;

	ret = elastic_wire_parse_hdr(buf, sizeof(struct elastic_wire_hdr), &m);
	if (ret)
		return ret;
	payload = buf + sizeof(struct elastic_wire_hdr);
	if (!c->peer_id) {
		ret = elastic_rx_hello(c, &m, payload);
		if (ret)
			return ret;
	} else if (m.src != c->peer_id || m.type == ELASTIC_MSG_HELLO) {
		return -EPROTO;
	} else if (m.type == ELASTIC_MSG_HEARTBEAT) {
		rcu_read_lock();
		p = elastic_peer_rcu(c->peer_id);
		ret = p ? elastic_rx_heartbeat(p, &m, payload) : -ENOENT;
		rcu_read_unlock();
		if (ret)
			return ret;
	} else {
		h = elastic_msg_handler(m.type);
		if (!h || !h->rx)
			return -EPROTO;
		ret = h->rx(c, &m, payload);
		if (ret)
			return ret;
	}

	rcu_read_lock();
	p = elastic_peer_rcu(c->peer_id);
	if (p) {
		WRITE_ONCE(p->last_heard, jiffies);
		atomic64_inc(&p->rx_msgs);
		up = elastic_peer_set_state(p, ELASTIC_NODE_STATE_UP);
	}
	rcu_read_unlock();
	if (!p)
		return -ENOENT;
	if (up)
		elastic_member_announce(c->peer_id, ELASTIC_NODE_STATE_UP);
	return 0;
}

/* Let the parser go on once the thread has taken queued messages. */
static void elastic_rx_unpause(struct elastic_conn *c)
{
	lock_sock(c->sock->sk);
	__strp_unpause(&c->strp);
	release_sock(c->sock->sk);
}

/* The largest message served first: a PULL, its header and a batch of slots. */
#define ELASTIC_FIRST_MSG_MAX (sizeof(struct elastic_wire_hdr) + \
	sizeof(struct elastic_wire_slots) + ELASTIC_WIRE_BATCH * sizeof(__be64))

/**
 * elastic_rx_serve_first - handle the messages of @c flagged ELASTIC_RX_FIRST
 * @c: the connection, as given to the handler of a long message
 *
 * For a handler part-way through a long message (a PUSH's pages being
 * stored, a FREE's dropped): the messages served first are those whose
 * answer nothing queued before them can change (see ELASTIC_RX_FIRST), so
 * they need not wait for its end.  One found malformed ends the
 * connection once the current message is done.
 */
void elastic_rx_serve_first(struct elastic_conn *c)
{
	u8 buf[ELASTIC_FIRST_MSG_MAX] __aligned(8);
	struct sk_buff *skb;
	int ret;

	while (!c->nested_err && (skb = skb_dequeue(&c->firstq))) {
		ret = strp_msg(skb)->full_len > sizeof(buf) ? -EMSGSIZE :
			skb_copy_bits(skb, strp_msg(skb)->offset, buf, strp_msg(skb)->full_len);
		kfree_skb(skb);
		c->nested_err = ret ?: elastic_rx_one(c, buf);
		atomic_dec(&c->backlog);
	}
	/* Room again: more behind the pause may be in the socket. */
	if (READ_ONCE(c->strp.paused) &&
	    skb_queue_len(&c->rxq) + skb_queue_len(&c->firstq) < ELASTIC_RXQ_MAX)
		elastic_rx_unpause(c);
}

/* Handle the messages the parser queued, until the connection ends. */
static int elastic_rx_loop(struct elastic_conn *c, u8 *buf)
{
	struct sk_buff *skb;
	int ret;

	for (;;) {
		/*
		 * Interruptible (kthreads take no signals): heartbeats no longer
		 * wake the thread, and an idle connection's would otherwise
		 * count as a hung task.
		 */
		wait_event_interruptible(c->wq, !skb_queue_empty(&c->rxq) ||
					 !skb_queue_empty(&c->firstq) || elastic_conn_done(c));
		skb = skb_dequeue(&c->firstq) ?: skb_dequeue(&c->rxq);
		if (!skb) {
			ret = elastic_conn_ended(c);
			if (ret)
				return ret;
			continue;
		}
		ret = skb_copy_bits(skb, strp_msg(skb)->offset, buf, strp_msg(skb)->full_len);
		kfree_skb(skb);
		if (!ret)
			ret = elastic_rx_one(c, buf) ?: c->nested_err;
		atomic_dec(&c->backlog);
		if (ret)
			return ret;
		if (skb_queue_empty(&c->rxq) && skb_queue_empty(&c->firstq) &&
		    READ_ONCE(c->strp.paused))
			elastic_rx_unpause(c);
	}
}

static int elastic_rx_thread(void *data)
{
	struct elastic_conn *c = data;
	int ret = -ENOMEM;
	u8 *buf;

	buf = kvmalloc(ELASTIC_MSG_MAX, GFP_KERNEL);
	if (buf)
		ret = elastic_rx_loop(c, buf);
	/*
	 * A connection that ends between messages, or fails, or whose member
	 * was removed, is no bad frame; anything else was malformed or
	 * unexpected.
	 */
	if (ret != -ECONNRESET && ret != -ENOENT) {
		elastic_count_bad_frame();
		pr_debug("closing connection from node %u: malformed or unexpected message (%d)\n",
			 c->peer_id, ret);
	}
	kvfree(buf);
	elastic_conn_detach(c);

	mutex_lock(&elastic_conns_lock);
	list_del(&c->list);
	mutex_unlock(&elastic_conns_lock);
	sock_release(c->sock);
	kfree(c);
	if (atomic_dec_and_test(&elastic_nconns))
		wake_up(&elastic_conns_wq);
	return 0;
}

/* Is @addr (network order) the address of a member other than this node? */
static bool elastic_member_addr(__be32 addr)
{
	struct elastic_peer *p;
	bool found = false;
	int i;

	rcu_read_lock();
	for (i = 1; i <= ELASTIC_MAX_NODE_ID && !found; i++) {
		p = elastic_peer_rcu(i);
		found = p && p->tx_task && p->addr.sin_addr.s_addr == addr;
	}
	rcu_read_unlock();
	return found;
}

/* A connection from a member: its receiver, started. */
static void elastic_rx_start(struct socket *sock)
{
	struct elastic_conn *c;
	struct task_struct *t;

	elastic_sock_memalloc(sock);
	/*
	 * Replies go back on this connection: at once, and never blocked for
	 * longer than a member takes to be declared dead by one that stopped
	 * reading.
	 */
	tcp_sock_set_nodelay(sock->sk);
	sock->sk->sk_sndtimeo = elastic_dead_after();
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c) {
		sock_release(sock);
		return;
	}
	c->sock = sock;
	strp_init(&c->strp, sock->sk, &elastic_strp_cb);
	skb_queue_head_init(&c->rxq);
	skb_queue_head_init(&c->firstq);
	init_waitqueue_head(&c->wq);
	t = kthread_create(elastic_rx_thread, c, "elastic-rx");
	if (IS_ERR(t)) {
		sock_release(sock);
		kfree(c);
		return;
	}
	atomic_inc(&elastic_nconns);
	mutex_lock(&elastic_conns_lock);
	list_add(&c->list, &elastic_conns);
	mutex_unlock(&elastic_conns_lock);
	/* Before the thread runs: it ends by taking the callbacks back. */
	elastic_conn_attach(c);
	wake_up_process(t);
}

static int elastic_listen_thread(void *data)
{
	struct socket *lsock = data;

	while (!kthread_should_stop()) {
		struct sockaddr_in from;
		struct socket *sock;

		if (kernel_accept(lsock, &sock, 0)) {
			/* Shut down for unload, or a transient failure. */
			if (!kthread_should_stop())
				msleep(100);
			continue;
		}
		if (kernel_getpeername(sock, (struct sockaddr *)&from) < 0 ||
		    !from.sin_addr.s_addr || !elastic_member_addr(from.sin_addr.s_addr)) {
			atomic64_inc(&elastic_tstats.conn_refused);
			sock_release(sock);
			continue;
		}
		elastic_rx_start(sock);
	}
	return 0;
}

/**
 * elastic_rx_unlisten - stop accepting connections
 *
 * Under elastic_cluster_lock (membership.c).
 */
void elastic_rx_unlisten(void)
{
	if (!elastic_listen_task)
		return;
	/* Wake the listener out of accept(), then stop it. */
	kernel_sock_shutdown(elastic_listen_sock, SHUT_RDWR);
	kthread_stop(elastic_listen_task);
	sock_release(elastic_listen_sock);
	elastic_listen_task = NULL;
	elastic_listen_sock = NULL;
}

/**
 * elastic_rx_listen - (re)start accepting members' connections on @port
 * @port: TCP port
 *
 * Under elastic_cluster_lock (membership.c).
 *
 * Return: 0, or the error of creating, binding or listening.
 */
int elastic_rx_listen(u16 port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_ANY),
		.sin_port = htons(port),
	};
	struct task_struct *t;
	struct socket *sock;
	int ret;

	elastic_rx_unlisten();
	ret = sock_create_kern(&init_net, PF_INET, SOCK_STREAM, IPPROTO_TCP, &sock);
	if (ret)
		return ret;
	sock_set_reuseaddr(sock->sk);
	/* Accepted connections inherit it. */
	sock_set_rcvbuf(sock->sk, ELASTIC_RCVBUF);
	ret = kernel_bind(sock, (struct sockaddr *)&sin, sizeof(sin));
	if (!ret)
		ret = kernel_listen(sock, 64);
	if (ret) {
		pr_err("cannot listen on port %u: %d\n", port, ret);
		sock_release(sock);
		return ret;
	}
	t = kthread_run(elastic_listen_thread, sock, "elastic-listen");
	if (IS_ERR(t)) {
		sock_release(sock);
		return PTR_ERR(t);
	}
	elastic_listen_sock = sock;
	elastic_listen_task = t;
	return 0;
}

/**
 * elastic_rx_shutdown - end the connections from one member
 * @peer_id: the member, or 0 for all; their receivers end themselves
 */
void elastic_rx_shutdown(u32 peer_id)
{
	struct elastic_conn *c;

	mutex_lock(&elastic_conns_lock);
	list_for_each_entry(c, &elastic_conns, list)
		if (!peer_id || c->peer_id == peer_id)
			kernel_sock_shutdown(c->sock, SHUT_RDWR);
	mutex_unlock(&elastic_conns_lock);
}

/**
 * elastic_rx_last_sign - when member @id last showed here that it lives
 * @id: node id
 * @last: jiffies of its last whole message
 *
 * Besides its whole messages: a member whose messages wait to be handled
 * here is not silent, however long ago they arrived (this node is slow);
 * nor is one whose message is still arriving (a long one, or one behind
 * others on a slow link: TCP's time of its last data packet).
 *
 * Return: the latest of @last, the time of its last data packet, and
 * now if messages of it wait.
 */
unsigned long elastic_rx_last_sign(u32 id, unsigned long last)
{
	struct elastic_conn *c;

	mutex_lock(&elastic_conns_lock);
	list_for_each_entry(c, &elastic_conns, list) {
		if (READ_ONCE(c->peer_id) != id)
			continue;
		if (atomic_read(&c->backlog)) {
			last = jiffies;
			break;
		}
		/* The socket lives as long as its connection is listed. */
		last = elastic_later_tcp_stamp(last,
					       READ_ONCE(inet_csk(c->sock->sk)->icsk_ack.lrcvtime));
	}
	mutex_unlock(&elastic_conns_lock);
	return last;
}

/** elastic_rx_wait_all - wait until every receiver has ended */
void elastic_rx_wait_all(void)
{
	wait_event(elastic_conns_wq, !atomic_read(&elastic_nconns));
}
