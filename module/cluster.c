// SPDX-License-Identifier: GPL-2.0
/*
 * SpotOS elastic module: cluster membership and the transport between nodes.
 *
 * Each member other than this node gets a sender thread (elastic-tx/N)
 * that connects to the member's address, says HELLO, then sends a
 * HEARTBEAT every heartbeat_ms; it never exits on its own, only through
 * kthread_stop() when the member is removed or the module unloads.  A
 * listener thread (elastic-listen) accepts connections on listen_port, only
 * from member addresses, and hands each to a receiver: a stream parser in
 * the socket's receive callback, which handles replies and heartbeats
 * itself, and a thread (elastic-rx) for the other messages.  Every message
 * is validated (wire.c); anything malformed or unexpected closes that
 * connection and counts in bad_frames; receivers end on their own and free
 * themselves.
 *
 * A member whose messages stop for heartbeat_misses intervals is declared
 * dead (log line and node-dead event); when they resume it is up again.
 * Two connections per pair, one each way, keep the roles simple: a node
 * only ever sends on connections it made and receives on ones it accepted.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/in.h>
#include <linux/kthread.h>
#include <linux/net.h>
#include <linux/random.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <net/sock.h>
#include <net/strparser.h>

#include "internal.h"
#include "wire.h"

/**
 * struct elastic_peer - a member of the cluster, as this node sees it
 * @id:		node id
 * @addr:	address and port the member listens on
 * @state:	enum elastic_node_state; changed with xchg(), read with READ_ONCE
 * @last_heard:	jiffies of the last valid message from it; READ_ONCE/WRITE_ONCE
 * @rx_msgs:	valid messages received from it
 * @tx_msgs:	messages sent to it
 * @incarnation: its incarnation from its latest HELLO, 0 before the first;
 *		changed with xchg() by receivers
 * @tx_task:	its sender thread (NULL for this node itself)
 * @tx_sock:	the sender's connection, or NULL; changed under @tx_lock, so
 *		that removal can shut it down to wake a blocked sender
 * @tx_lock:	protects changes of @tx_sock and sending on it, so that
 *		messages from several threads never interleave (a mutex:
 *		sending and shutting a socket down sleep)
 * @tx_conn:	number of @tx_sock's connection, unique on this node
 *		(elastic_tx_conns); written under @tx_lock, read with
 *		READ_ONCE
 * @users:	one for the peer table plus one per sender outside
 *		elastic_cluster_lock; removal waits for it to reach zero
 * @rcu:	freeing after a grace period, as receivers look peers up
 *		under RCU
 * @reply_strp:	cuts the PULL_REPLYs the member sends back on @tx_sock out of
 *		that stream (a member answers a PULL on the connection it came
 *		in on); under the socket's lock, as struct elastic_conn's
 * @reply_err:	the reply parser stopped on a bad message: the sender thread
 *		closes @tx_sock and connects again.  READ_ONCE/WRITE_ONCE
 * @data_ready:	@tx_sock's receive callback before the reply parser's
 *
 * Locking: elastic_cluster_lock (a mutex) serialises membership changes
 * and protects the peer table's slots for writers; receivers and status
 * readers find peers under RCU.
 */
struct elastic_peer {
	u32 id;
	struct sockaddr_in addr;
	u32 state;
	unsigned long last_heard;
	atomic64_t rx_msgs;
	atomic64_t tx_msgs;
	u64 incarnation;
	struct task_struct *tx_task;
	struct socket *tx_sock;
	struct mutex tx_lock;	/* see @tx_lock above */
	u32 tx_conn;
	refcount_t users;
	struct rcu_head rcu;
	struct strparser reply_strp;
	int reply_err;
	void (*data_ready)(struct sock *sk);
};

/**
 * struct elastic_conn - an accepted connection and its receiver thread
 * @list:	in elastic_conns, under elastic_conns_lock (a mutex, since
 *		sockets on the list are shut down while holding it)
 * @sock:	the connection
 * @peer_id:	member it belongs to, once its HELLO was accepted; else 0.
 *		Written by the receiver thread, read with READ_ONCE by the
 *		receive callback
 * @strp:	cuts the stream into messages; used under the socket's lock
 *		(bh_lock_sock in softirq, lock_sock in process context)
 * @rxq:	messages for the receiver thread (its own spinlock)
 * @pullq:	PULLs from the connection's member, which the thread handles
 *		before @rxq's messages (its own spinlock).  A PULL only reads
 *		a page the member stored (the home pulls a slot only once
 *		its PUSH or HANDOFF was acknowledged, and never after the FREE):
 *		no message before it can change the answer, and a PULL
 *		should not wait for a PUSH of 32 pages to be stored
 * @backlog:	messages queued on @rxq or @pullq or being handled by the
 *		thread; while not zero, replies queue too, to keep the
 *		connection's order
 * @err:	the parser's error once it stopped; READ_ONCE/WRITE_ONCE
 * @nested_err:	a PULL's error while the thread answered it part-way through
 *		another message (elastic_rx_pulls()); the thread's own
 * @wq:		the receiver thread waits here for @rxq, @pullq, @err or the end
 * @data_ready:	the socket's callbacks before this connection's, restored
 * @state_change: when the thread ends (under sk_callback_lock)
 * @burst_hdr:	headers of the replies to a PULL, sent back on @sock by the
 *		receiver thread (the only sender on it)
 * @burst_vec:	their parts
 */
struct elastic_conn {
	struct list_head list;
	struct socket *sock;
	u32 peer_id;
	struct strparser strp;
	struct sk_buff_head rxq;
	struct sk_buff_head pullq;
	atomic_t backlog;
	int err;
	int nested_err;
	wait_queue_head_t wq;
	void (*data_ready)(struct sock *sk);
	void (*state_change)(struct sock *sk);
	struct elastic_wire_hdr burst_hdr[ELASTIC_WIRE_BATCH];
	struct kvec burst_vec[3 * ELASTIC_WIRE_BATCH];
};

static DEFINE_MUTEX(elastic_cluster_lock);
static struct elastic_peer __rcu *elastic_peers[ELASTIC_MAX_NODE_ID + 1];

static LIST_HEAD(elastic_conns);
static DEFINE_MUTEX(elastic_conns_lock);
static atomic_t elastic_nconns = ATOMIC_INIT(0);
static DECLARE_WAIT_QUEUE_HEAD(elastic_conns_wq);

/* Connections made to members, to number each (struct elastic_peer.tx_conn). */
static atomic_t elastic_tx_conns = ATOMIC_INIT(0);

static struct socket *elastic_listen_sock;
static struct task_struct *elastic_listen_task;

struct elastic_cluster_params elastic_params = {
	.listen_port = 7070,
	.heartbeat_ms = 1000,
	.heartbeat_misses = 5,
};

struct elastic_cluster_stats elastic_cstats;

static int elastic_rx_thread(void *data);
static int elastic_reply_attach(struct elastic_peer *p, struct socket *sock);
static void elastic_tx_release(struct elastic_peer *p, struct socket *sock);

/* ---- sending ---- */

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

	elastic_wire_build_hdr(&m.hdr, ELASTIC_MSG_HELLO, sizeof(m.hello),
			       READ_ONCE(elastic_node.id), seq);
	m.hello.dst = cpu_to_be32(p->id);
	m.hello.proto_min = cpu_to_be32(ELASTIC_WIRE_VERSION);
	m.hello.incarnation = cpu_to_be64(elastic_node.incarnation);
	return elastic_send(sock, &m, sizeof(m));
}

/*
 * End a send made under p->tx_lock, and drop the lock: a failed or
 * partial send closes the connection (the sender thread reconnects), so
 * the stream never carries half a message.  Counts @n messages sent.
 */
static int elastic_peer_xmit_done(struct elastic_peer *p, int ret, unsigned int n)
{
	if (ret && p->tx_sock) {
		elastic_tx_release(p, p->tx_sock);
		p->tx_sock = NULL;
	}
	mutex_unlock(&p->tx_lock);
	if (!ret)
		atomic64_add(n, &p->tx_msgs);
	return ret;
}

/*
 * Send one message on p's connection under its tx_lock: @parts, then
 * @npages whole pages sent as they are (MSG_SPLICE_PAGES: the socket takes
 * references, no copy).  A failed or partial send closes the connection
 * (the sender thread reconnects), so the stream never carries half a
 * message.
 */
static int elastic_peer_xmit(struct elastic_peer *p, u32 type, u64 seq,
			     const struct kvec *parts, int nparts,
			     struct page * const *pages, int npages, bool more)
{
	struct bio_vec bvec[ELASTIC_WIRE_BATCH];
	struct kvec vec[ELASTIC_SEND_MAX_PARTS + 1];
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
	elastic_wire_build_hdr(&hdr, type, len + npages * PAGE_SIZE, READ_ONCE(elastic_node.id),
			       seq);
	vec[0] = (struct kvec){ .iov_base = &hdr, .iov_len = sizeof(hdr) };
	head = len + sizeof(hdr);
	mutex_lock(&p->tx_lock);
	ret = -ENOTCONN;
	if (p->tx_sock) {
		msg.msg_flags = MSG_NOSIGNAL | (more || npages ? MSG_MORE : 0);
		ret = kernel_sendmsg(p->tx_sock, &msg, vec, nparts + 1, head);
		ret = ret == head ? 0 : (ret < 0 ? ret : -EIO);
	}
	if (!ret && npages) {
		msg.msg_flags = MSG_NOSIGNAL | MSG_SPLICE_PAGES | (more ? MSG_MORE : 0);
		iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, bvec, npages, npages * PAGE_SIZE);
		ret = sock_sendmsg(p->tx_sock, &msg);
		ret = ret == npages * PAGE_SIZE ? 0 : (ret < 0 ? ret : -EIO);
	}
	return elastic_peer_xmit_done(p, ret, 1);
}

/* A peer to send to, with a reference (elastic_peer_unref()), or NULL. */
static struct elastic_peer *elastic_peer_ref(u32 id)
{
	struct elastic_peer *p;

	if (!elastic_node_id_valid(id))
		return NULL;
	rcu_read_lock();
	p = rcu_dereference(elastic_peers[id]);
	if (p && (!p->tx_task || !refcount_inc_not_zero(&p->users)))
		p = NULL;
	rcu_read_unlock();
	return p;
}

static void elastic_peer_unref(struct elastic_peer *p)
{
	if (refcount_dec_and_test(&p->users))
		wake_up_var(&p->users);
}

/* The connection whose receiver thread runs this, or NULL. */
static struct elastic_conn *elastic_rx_current(void)
{
	if (!(current->flags & PF_KTHREAD) || kthread_func(current) != elastic_rx_thread)
		return NULL;
	return kthread_data(current);
}

/**
 * elastic_reply_each - answer a request with several replies of one type
 * @id: node id of the member that sent the request
 * @type: enum elastic_wire_type
 * @n: how many messages (at most ELASTIC_WIRE_BATCH)
 * @plen: the bytes of each message's first part
 * @payloads: the first parts, @plen bytes each, one after the other
 * @pages: for each message a page that follows its first part, or NULL
 *	for none (not highmem: the page is sent from its kernel address)
 *
 * Only from the receiver thread of @id's connection, the one handling the
 * request: the replies go back on that connection, as in any
 * request-response protocol, so that they carry TCP's acknowledgment of
 * the request (on this node's own connection to @id it would need a
 * packet of its own: a virtio kick here and an interrupt on @id, in the
 * middle of each remote fault).  The thread is the only sender there: no
 * lock.  The messages get consecutive sequence numbers.  One sendmsg()
 * for all lets TCP fill full-sized segments: messages sent one by one
 * leave as soon as each has a segment's worth, even with MSG_MORE (under
 * virtio a packet, an interrupt and an ACK per 4 KiB reply).  The pages
 * are copied into the socket before this returns.  A failed or partial
 * send shuts the connection down, so the stream never carries half a
 * message; the thread then ends with it (as after a PULL it failed in
 * elastic_rx_pulls()), and the member connects again.
 *
 * Return: 0, -EINVAL from any other thread, or the socket's error.
 */
int elastic_reply_each(u32 id, u32 type, unsigned int n, size_t plen, const void *payloads,
		       struct page * const *pages)
{
	struct msghdr msg = { .msg_flags = MSG_NOSIGNAL };
	struct elastic_conn *c = elastic_rx_current();
	unsigned int i, k = 0;
	struct elastic_peer *p;
	size_t len = 0;
	u64 seq;
	int ret;

	if (WARN_ON_ONCE(!n || n > ELASTIC_WIRE_BATCH || !c || c->peer_id != id))
		return -EINVAL;
	seq = elastic_next_seqs(n);
	for (i = 0; i < n; i++) {
		size_t mlen = plen + (pages[i] ? PAGE_SIZE : 0);

		elastic_wire_build_hdr(&c->burst_hdr[i], type, mlen, READ_ONCE(elastic_node.id),
				       seq + i);
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
	p = rcu_dereference(elastic_peers[id]);
	if (p)
		atomic64_add(n, &p->tx_msgs);
	rcu_read_unlock();
	return 0;
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

/**
 * elastic_peer_conn - which connection to member @id messages go on now
 * @id: node id
 *
 * A message sent earlier on another connection may have been lost with it.
 *
 * Return: a number unique on this node for each connection, 0 for none.
 */
u32 elastic_peer_conn(u32 id)
{
	struct elastic_peer *p;
	u32 conn = 0;

	if (!elastic_node_id_valid(id))
		return 0;
	rcu_read_lock();
	p = rcu_dereference(elastic_peers[id]);
	if (p && READ_ONCE(p->tx_sock))
		conn = READ_ONCE(p->tx_conn);
	rcu_read_unlock();
	return conn;
}

/**
 * elastic_peer_alive - may member @id still answer?
 * @id: node id
 *
 * Return: false once @id was declared dead or is no member.
 */
bool elastic_peer_alive(u32 id)
{
	struct elastic_peer *p;
	bool alive;

	if (!elastic_node_id_valid(id))
		return false;
	rcu_read_lock();
	p = rcu_dereference(elastic_peers[id]);
	alive = p && READ_ONCE(p->state) != ELASTIC_NODE_STATE_DEAD;
	rcu_read_unlock();
	return alive;
}

static atomic64_t elastic_seq = ATOMIC64_INIT(0);

/* Sequence numbers are unique on this node, so replies find their request. */
u64 elastic_next_seq(void)
{
	return atomic64_inc_return(&elastic_seq);
}

/* The first of @n consecutive ones: a PULL of n slots is answered on them. */
u64 elastic_next_seqs(unsigned int n)
{
	return atomic64_add_return(n, &elastic_seq) - n + 1;
}

/*
 * Pages leave a node to free its memory, and their acknowledgments must
 * get in while memory is short: like a swap device's (nbd), the node's
 * sockets may use the emergency reserves, so that neither the sends of a
 * push under pressure nor the replies they wait for fail or are dropped
 * for lack of the memory they are about to free.
 */
static void elastic_sock_memalloc(struct socket *sock)
{
	sock->sk->sk_allocation = GFP_NOIO | __GFP_MEMALLOC;
	sk_set_memalloc(sock->sk);
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

/* Change a member's state; true when it changed.  Atomic, sleeps never. */
static bool elastic_peer_set_state(struct elastic_peer *p, u32 state)
{
	return xchg(&p->state, state) != state;
}

/* Log and announce a state change; may sleep, so never under RCU. */
static void elastic_peer_announce(u32 id, u32 state)
{
	if (state == ELASTIC_NODE_STATE_DEAD) {
		pr_warn("node %u declared dead: no message for %u heartbeats of %u ms\n",
			id, READ_ONCE(elastic_params.heartbeat_misses),
			READ_ONCE(elastic_params.heartbeat_ms));
		elastic_mem_node_dead(id);
		elastic_nl_notify(ELASTIC_EVENT_TYPE_NODE_DEAD, id);
	} else if (state == ELASTIC_NODE_STATE_UP) {
		pr_info("node %u up\n", id);
		elastic_nl_notify(ELASTIC_EVENT_TYPE_NODE_UP, id);
	}
}

static void elastic_tx_close(struct elastic_peer *p)
{
	mutex_lock(&p->tx_lock);
	if (p->tx_sock)
		elastic_tx_release(p, p->tx_sock);
	p->tx_sock = NULL;
	mutex_unlock(&p->tx_lock);
}

/* One sender per member: connect, HELLO, heartbeats; check liveness. */
static int elastic_tx_thread(void *data)
{
	struct elastic_peer *p = data;

	while (!kthread_should_stop()) {
		unsigned int ms = READ_ONCE(elastic_params.heartbeat_ms);
		unsigned long silence;
		struct socket *sock;

		/* The member sent back something other than a good reply. */
		if (READ_ONCE(p->tx_sock) && READ_ONCE(p->reply_err)) {
			atomic64_inc(&elastic_cstats.bad_frames);
			elastic_count_bad_input();
			pr_debug("closing connection to node %u: bad reply (%d)\n", p->id,
				 READ_ONCE(p->reply_err));
			elastic_tx_close(p);
		}
		if (!READ_ONCE(p->tx_sock)) {
			sock = elastic_connect(p);
			if (sock && elastic_reply_attach(p, sock)) {
				sock_release(sock);
				sock = NULL;
			}
			if (sock && elastic_send_hello(p, sock, elastic_next_seq())) {
				elastic_tx_release(p, sock);
				sock = NULL;
			}
			if (sock) {
				mutex_lock(&p->tx_lock);
				p->tx_sock = sock;
				WRITE_ONCE(p->tx_conn, atomic_inc_return(&elastic_tx_conns));
				mutex_unlock(&p->tx_lock);
				atomic64_inc(&p->tx_msgs);
			}
		} else {
			elastic_peer_xmit(p, ELASTIC_MSG_HEARTBEAT, elastic_next_seq(),
					  NULL, 0, NULL, 0, false);
		}

		silence = jiffies - READ_ONCE(p->last_heard);
		if (READ_ONCE(p->state) == ELASTIC_NODE_STATE_UP &&
		    silence > msecs_to_jiffies(ms) * READ_ONCE(elastic_params.heartbeat_misses) &&
		    elastic_peer_set_state(p, ELASTIC_NODE_STATE_DEAD))
			elastic_peer_announce(p->id, ELASTIC_NODE_STATE_DEAD);

		schedule_timeout_interruptible(msecs_to_jiffies(ms));
	}
	elastic_tx_close(p);
	return 0;
}

/* ---- receiving ---- */

/*
 * Messages are cut out of the stream in the socket's sk_data_ready()
 * callback by a stream parser (net/strparser), in softirq.  Replies to
 * this node's requests (PULL_REPLY, PUSH_ACK) and heartbeats are handled
 * right there: a pulled page goes from the socket's buffers into the
 * faulting task's page, and that task is woken by the socket, not by a
 * receiver thread woken first (a context switch less per remote fault).
 * Everything else needs process context (it maps pages, takes mutexes,
 * sends) and is queued to the connection's receiver thread; while any
 * message waits there, replies queue behind it, so a connection's
 * messages are always handled in the order they were sent.
 */
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

static struct elastic_conn *elastic_conn_of(struct strparser *strp)
{
	return container_of(strp, struct elastic_conn, strp);
}

/* Length of the message that starts in @skb, 0 while its header is incomplete. */
static int elastic_strp_parse(struct strparser *strp, struct sk_buff *skb)
{
	struct strp_msg *rxm = strp_msg(skb);
	struct elastic_wire_hdr h;
	struct elastic_wire_msg m;
	int ret;

	if (skb->len - rxm->offset < sizeof(h))
		return 0;
	if (skb_copy_bits(skb, rxm->offset, &h, sizeof(h)))
		return -EBADMSG;
	ret = elastic_wire_parse_hdr(&h, sizeof(h), &m);
	/* strparser turns a positive length into the message's. */
	return ret ? ret : (int)(sizeof(h) + m.len);
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

/*
 * Handle a reply or a heartbeat (@m, in @skb) from the connection's member
 * at once.  Return 0 when handled, else an error: the receiver thread
 * then takes the message, validates it again and closes the connection
 * if it is bad (counting it), as for any other message.
 */
static int elastic_rx_fast(const struct elastic_wire_msg *m, struct sk_buff *skb)
{
	unsigned int off = strp_msg(skb)->offset + sizeof(struct elastic_wire_hdr);
	u32 peer = m->src;
	struct elastic_peer *p;
	int ret = -EAGAIN;

	rcu_read_lock();
	p = rcu_dereference(elastic_peers[peer]);
	/* A member coming back up is announced by the thread: that sleeps. */
	if (p && READ_ONCE(p->state) == ELASTIC_NODE_STATE_UP) {
		if (m->type == ELASTIC_MSG_HEARTBEAT)
			ret = 0;
		else
			ret = elastic_mem_rx_reply_skb(peer, m, skb, off);
		if (!ret) {
			WRITE_ONCE(p->last_heard, jiffies);
			atomic64_inc(&p->rx_msgs);
		}
	}
	rcu_read_unlock();
	return ret;
}

/* A whole message from the parser; under the socket lock. */
static void elastic_strp_rcv(struct strparser *strp, struct sk_buff *skb)
{
	struct elastic_conn *c = elastic_conn_of(strp);
	struct elastic_wire_msg m;
	bool known = !elastic_rx_peek(c, skb, &m);
	bool pull = known && m.type == ELASTIC_MSG_PULL;

	if (known && !atomic_read(&c->backlog) && !elastic_rx_fast(&m, skb)) {
		consume_skb(skb);
		return;
	}
	/* Other messages queued or being handled: a PULL goes first. */
	if (pull && atomic_read(&c->backlog) > skb_queue_len(&c->pullq))
		atomic64_inc(&elastic_cstats.pulls_ahead);
	atomic_inc(&c->backlog);
	skb_queue_tail(pull ? &c->pullq : &c->rxq, skb);
	if (skb_queue_len(&c->rxq) + skb_queue_len(&c->pullq) >= ELASTIC_RXQ_MAX)
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

/*
 * Let @strp parse what arrived.  Its skb clones may dip into the reserves,
 * as the socket itself may (elastic_sock_memalloc()): acks of pushes that
 * free memory, and pages pulled back, must get in when memory is short.
 */
static void elastic_strp_ready(struct strparser *strp)
{
	unsigned int noreclaim = memalloc_noreclaim_save();

	strp_data_ready(strp);
	memalloc_noreclaim_restore(noreclaim);
}

/* Stop @strp for good, once its socket's callbacks are back as they were. */
static void elastic_strp_finish(struct strparser *strp, struct sock *sk)
{
	lock_sock(sk);
	strp_stop(strp);
	release_sock(sk);
	strp_done(strp);
}

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
	skb_queue_purge(&c->pullq);
	skb_queue_purge(&c->rxq);
}

/* ---- replies on this node's own connections ---- */

/*
 * A member answers a PULL on the connection the PULL came in on (see
 * elastic_reply_each()): the stream this node opened to it carries
 * PULL_REPLYs back, and nothing else.  They are handled in the socket's
 * receive callback like replies on accepted connections; anything else,
 * or a malformed reply, stops the parser and has the sender thread close
 * the connection (counted once in bad_frames) and connect again.  The
 * parser lives in struct elastic_peer and is set up and torn down with
 * @tx_sock, under @tx_lock.
 */
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
	struct elastic_wire_hdr h;
	struct elastic_wire_msg m;
	int ret;

	ret = skb_copy_bits(skb, off, &h, sizeof(h)) ?:
	      elastic_wire_parse_hdr(&h, sizeof(h), &m);
	if (!ret && (m.src != p->id || m.type != ELASTIC_MSG_PULL_REPLY))
		ret = -EPROTO;
	if (!ret)
		ret = elastic_mem_rx_reply_skb(p->id, &m, skb, off + sizeof(h));
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
	lock_sock(sk);
	/* Parse what is left: the queue may be empty only for the moment. */
	__strp_unpause(&c->strp);
	if (skb_queue_empty(&c->rxq) && skb_queue_empty(&c->pullq) && !READ_ONCE(c->err))
		ret = c->strp.skb_head || !skb_queue_empty(&sk->sk_receive_queue) ?
			-EBADMSG : -ECONNRESET;
	release_sock(sk);
	return ret ?: READ_ONCE(c->err);
}

static void elastic_bad_frame(struct elastic_conn *c, const char *why, int err)
{
	atomic64_inc(&elastic_cstats.bad_frames);
	elastic_count_bad_input();
	pr_debug("closing connection from node %u: %s (%d)\n", c->peer_id, why, err);
}

/*
 * Handle one message (@buf, header and payload) in the receiver thread.
 * Return 0 to go on, or an error to close the connection (counted as a
 * bad frame).
 */
static int elastic_rx_one(struct elastic_conn *c, const u8 *buf)
{
	struct elastic_wire_msg m;
	struct elastic_peer *p;
	struct sockaddr_in from;
	const u8 *payload;
	bool up = false;
	u64 inc, old = 0;
	u32 dst;
	int ret;

	ret = elastic_wire_parse_hdr(buf, sizeof(struct elastic_wire_hdr), &m);
	if (ret)
		return ret;
	payload = buf + sizeof(struct elastic_wire_hdr);
	if (!c->peer_id) {
		/* The first message must be a HELLO from the member at that address. */
		if (m.type != ELASTIC_MSG_HELLO)
			return -EPROTO;
		ret = elastic_wire_parse_hello(payload, m.len, &dst, &inc);
		if (ret)
			return ret;
		if (dst != READ_ONCE(elastic_node.id))
			return -EPROTO;
		/* Outside RCU: getpeername takes the socket lock, which sleeps. */
		if (kernel_getpeername(c->sock, (struct sockaddr *)&from) < 0)
			return -EPROTO;
		rcu_read_lock();
		p = rcu_dereference(elastic_peers[m.src]);
		ret = -EPROTO;
		if (p && p->tx_task && from.sin_addr.s_addr == p->addr.sin_addr.s_addr) {
			old = xchg(&p->incarnation, inc);
			ret = 0;
		}
		rcu_read_unlock();
		if (ret)
			return ret;
		WRITE_ONCE(c->peer_id, m.src);
		if (old && old != inc)
			elastic_mem_node_restarted(m.src);
	} else if (m.src != c->peer_id || m.type == ELASTIC_MSG_HELLO) {
		return -EPROTO;
	} else if (m.type != ELASTIC_MSG_HEARTBEAT) {
		ret = elastic_mem_rx(c->peer_id, &m, payload);
		if (ret)
			return ret;
	}

	rcu_read_lock();
	p = rcu_dereference(elastic_peers[c->peer_id]);
	if (p) {
		WRITE_ONCE(p->last_heard, jiffies);
		atomic64_inc(&p->rx_msgs);
		up = elastic_peer_set_state(p, ELASTIC_NODE_STATE_UP);
	}
	rcu_read_unlock();
	if (!p)
		return -ENOENT;
	if (up)
		elastic_peer_announce(c->peer_id, ELASTIC_NODE_STATE_UP);
	return 0;
}

/* Let the parser go on once the thread has taken queued messages. */
static void elastic_rx_unpause(struct elastic_conn *c)
{
	lock_sock(c->sock->sk);
	__strp_unpause(&c->strp);
	release_sock(c->sock->sk);
}

/* The largest valid PULL: its header and a batch of slots. */
#define ELASTIC_PULL_MSG_MAX (sizeof(struct elastic_wire_hdr) + \
	sizeof(struct elastic_wire_slots) + ELASTIC_WIRE_BATCH * sizeof(__be64))

/**
 * elastic_rx_pulls - answer the PULLs queued on this receiver's connection
 *
 * For a receiver thread part-way through a long message (a PUSH's pages
 * being stored, a FREE's dropped): nothing in it can change a PULL's
 * answer (see struct elastic_conn), so the PULLs that arrived meanwhile
 * need not wait for its end.  Does nothing in any other task.  A PULL
 * found malformed ends the connection once the current message is done.
 */
void elastic_rx_pulls(void)
{
	u8 buf[ELASTIC_PULL_MSG_MAX] __aligned(8);
	struct elastic_conn *c;
	struct sk_buff *skb;
	int ret;

	c = elastic_rx_current();
	if (!c)
		return;
	while (!c->nested_err && (skb = skb_dequeue(&c->pullq))) {
		ret = strp_msg(skb)->full_len > sizeof(buf) ? -EMSGSIZE :
			skb_copy_bits(skb, strp_msg(skb)->offset, buf, strp_msg(skb)->full_len);
		kfree_skb(skb);
		c->nested_err = ret ?: elastic_rx_one(c, buf);
		atomic_dec(&c->backlog);
	}
	/* Room again: PULLs behind the pause may be in the socket. */
	if (READ_ONCE(c->strp.paused) &&
	    skb_queue_len(&c->rxq) + skb_queue_len(&c->pullq) < ELASTIC_RXQ_MAX)
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
					 !skb_queue_empty(&c->pullq) || elastic_conn_done(c));
		skb = skb_dequeue(&c->pullq) ?: skb_dequeue(&c->rxq);
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
		if (skb_queue_empty(&c->rxq) && skb_queue_empty(&c->pullq) &&
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
	if (ret != -ECONNRESET && ret != -ENOENT)
		elastic_bad_frame(c, "malformed or unexpected message", ret);
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

/*
 * Is there a member other than this node, at addr (network order), or at
 * any address when addr is 0 (node-add refuses 0.0.0.0 as an address)?
 */
static bool elastic_other_member(__be32 addr)
{
	struct elastic_peer *p;
	bool found = false;
	int i;

	rcu_read_lock();
	for (i = 1; i <= ELASTIC_MAX_NODE_ID && !found; i++) {
		p = rcu_dereference(elastic_peers[i]);
		found = p && p->tx_task && (!addr || p->addr.sin_addr.s_addr == addr);
	}
	rcu_read_unlock();
	return found;
}

static int elastic_listen_thread(void *data)
{
	struct socket *lsock = data;

	while (!kthread_should_stop()) {
		struct sockaddr_in from;
		struct elastic_conn *c;
		struct task_struct *t;
		struct socket *sock;

		if (kernel_accept(lsock, &sock, 0)) {
			/* Shut down for unload, or a transient failure. */
			if (!kthread_should_stop())
				msleep(100);
			continue;
		}
		if (kernel_getpeername(sock, (struct sockaddr *)&from) < 0 ||
		    !from.sin_addr.s_addr || !elastic_other_member(from.sin_addr.s_addr)) {
			atomic64_inc(&elastic_cstats.conn_refused);
			sock_release(sock);
			continue;
		}
		elastic_sock_memalloc(sock);
		/*
		 * Replies to PULLs go back on this connection: at once, and
		 * never blocked for longer than a member takes to be declared
		 * dead by one that stopped reading.
		 */
		tcp_sock_set_nodelay(sock->sk);
		sock->sk->sk_sndtimeo =
			msecs_to_jiffies(READ_ONCE(elastic_params.heartbeat_ms) *
					 READ_ONCE(elastic_params.heartbeat_misses));
		c = kzalloc(sizeof(*c), GFP_KERNEL);
		if (!c) {
			sock_release(sock);
			continue;
		}
		c->sock = sock;
		strp_init(&c->strp, sock->sk, &elastic_strp_cb);
		skb_queue_head_init(&c->rxq);
		skb_queue_head_init(&c->pullq);
		init_waitqueue_head(&c->wq);
		t = kthread_create(elastic_rx_thread, c, "elastic-rx");
		if (IS_ERR(t)) {
			sock_release(sock);
			kfree(c);
			continue;
		}
		atomic_inc(&elastic_nconns);
		mutex_lock(&elastic_conns_lock);
		list_add(&c->list, &elastic_conns);
		mutex_unlock(&elastic_conns_lock);
		/* Before the thread runs: it ends by taking the callbacks back. */
		elastic_conn_attach(c);
		wake_up_process(t);
	}
	return 0;
}

/* Wake the receivers of one member's connections (0: all); they end themselves. */
static void elastic_conns_shutdown(u32 peer_id)
{
	struct elastic_conn *c;

	mutex_lock(&elastic_conns_lock);
	list_for_each_entry(c, &elastic_conns, list)
		if (!peer_id || c->peer_id == peer_id)
			kernel_sock_shutdown(c->sock, SHUT_RDWR);
	mutex_unlock(&elastic_conns_lock);
}

/* ---- membership ---- */

/**
 * elastic_node_add - add a member
 * @id: its node id
 * @addr: IPv4 address, network byte order
 * @port: TCP port, host byte order
 *
 * Return: 0, -EEXIST if @id is a member already, -EADDRINUSE if another
 * member has that address and port, -ENOMEM.
 */
int elastic_node_add(u32 id, __be32 addr, u16 port)
{
	struct elastic_peer *p, *q;
	int i, ret = 0;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	p->id = id;
	p->addr.sin_family = AF_INET;
	p->addr.sin_addr.s_addr = addr;
	p->addr.sin_port = htons(port);
	p->last_heard = jiffies;
	mutex_init(&p->tx_lock);
	refcount_set(&p->users, 1);
	p->state = id == READ_ONCE(elastic_node.id) ? ELASTIC_NODE_STATE_SELF :
						      ELASTIC_NODE_STATE_CONNECTING;

	mutex_lock(&elastic_cluster_lock);
	for (i = 1; i <= ELASTIC_MAX_NODE_ID; i++) {
		q = rcu_dereference_protected(elastic_peers[i],
					      lockdep_is_held(&elastic_cluster_lock));
		if (q && i == id)
			ret = -EEXIST;
		else if (q && q->addr.sin_addr.s_addr == addr && q->addr.sin_port == htons(port))
			ret = -EADDRINUSE;
		if (ret)
			goto out;
	}
	if (p->state != ELASTIC_NODE_STATE_SELF) {
		p->tx_task = kthread_run(elastic_tx_thread, p, "elastic-tx/%u", id);
		if (IS_ERR(p->tx_task)) {
			ret = PTR_ERR(p->tx_task);
			goto out;
		}
	}
	rcu_assign_pointer(elastic_peers[id], p);
	p = NULL;
out:
	mutex_unlock(&elastic_cluster_lock);
	kfree(p);
	if (!ret)
		elastic_nl_notify(ELASTIC_EVENT_TYPE_NODE_ADDED, id);
	return ret;
}

static void elastic_peer_stop(struct elastic_peer *p)
{
	struct socket *sock;

	if (p->tx_task) {
		/* Wake a sender blocked in connect or send, then stop it. */
		mutex_lock(&p->tx_lock);
		sock = p->tx_sock;
		if (sock)
			kernel_sock_shutdown(sock, SHUT_RDWR);
		mutex_unlock(&p->tx_lock);
		kthread_stop(p->tx_task);
	}
	elastic_conns_shutdown(p->id);
	/* Senders from other threads finish (socket timeout) before it goes. */
	if (!refcount_dec_and_test(&p->users))
		wait_var_event(&p->users, !refcount_read(&p->users));
}

/**
 * elastic_node_del - remove a member
 * @id: its node id
 *
 * Return: 0, -ENOENT when @id is not a member, -EBUSY while it holds
 * pages of processes whose home is this node (drain it first).
 */
int elastic_node_del(u32 id)
{
	struct elastic_peer *p;

	mutex_lock(&elastic_cluster_lock);
	p = rcu_dereference_protected(elastic_peers[id], lockdep_is_held(&elastic_cluster_lock));
	if (!p) {
		mutex_unlock(&elastic_cluster_lock);
		return -ENOENT;
	}
	if (elastic_mem_node_pages(id)) {
		mutex_unlock(&elastic_cluster_lock);
		return -EBUSY;
	}
	RCU_INIT_POINTER(elastic_peers[id], NULL);
	mutex_unlock(&elastic_cluster_lock);
	elastic_peer_stop(p);
	kfree_rcu(p, rcu);
	elastic_mem_node_forget(id);
	elastic_nl_notify(ELASTIC_EVENT_TYPE_NODE_REMOVED, id);
	return 0;
}

/**
 * elastic_node_read - a member's state for netlink
 * @id: node id
 * @info: filled when @id is a member
 *
 * Return: 0, or -ENOENT.
 */
int elastic_node_read(u32 id, struct elastic_node_info *info)
{
	struct elastic_peer *p;

	rcu_read_lock();
	p = rcu_dereference(elastic_peers[id]);
	if (p) {
		info->id = p->id;
		info->addr = p->addr.sin_addr.s_addr;
		info->port = ntohs(p->addr.sin_port);
		info->state = READ_ONCE(p->state);
		info->last_heard_ms = jiffies_to_msecs(jiffies - READ_ONCE(p->last_heard));
		info->rx_msgs = atomic64_read(&p->rx_msgs);
		info->tx_msgs = atomic64_read(&p->tx_msgs);
	}
	rcu_read_unlock();
	return p ? 0 : -ENOENT;
}

/**
 * elastic_node_known - is @id a member (this node included)?
 * @id: node id
 *
 * Return: true if node-add added it and node-del did not remove it.
 */
bool elastic_node_known(u32 id)
{
	bool known;

	if (!elastic_node_id_valid(id))
		return false;
	rcu_read_lock();
	known = rcu_dereference(elastic_peers[id]);
	rcu_read_unlock();
	return known;
}

/* ---- start and stop ---- */

static int elastic_cluster_listen_locked(void);

/**
 * elastic_cluster_listen - (re)start listening on elastic_params.listen_port
 *
 * Return: 0, or the error of creating, binding or listening.
 */
int elastic_cluster_listen(void)
{
	int ret;

	mutex_lock(&elastic_cluster_lock);
	ret = elastic_cluster_listen_locked();
	mutex_unlock(&elastic_cluster_lock);
	return ret;
}

static void elastic_cluster_unlisten_locked(void)
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

static int elastic_cluster_listen_locked(void)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_ANY),
		.sin_port = htons(READ_ONCE(elastic_params.listen_port)),
	};
	struct task_struct *t;
	struct socket *sock;
	int ret;

	elastic_cluster_unlisten_locked();
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
		pr_err("cannot listen on port %u: %d\n", ntohs(sin.sin_port), ret);
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
 * elastic_cluster_has_members - whether any member other than this node exists
 *
 * Return: true when this node's id is in use on the wire.
 */
bool elastic_cluster_has_members(void)
{
	return elastic_other_member(0);
}

int elastic_cluster_init(void)
{
	elastic_node.incarnation = get_random_u64() ?: 1;
	return elastic_cluster_listen();
}

void elastic_cluster_exit(void)
{
	int i;

	mutex_lock(&elastic_cluster_lock);
	elastic_cluster_unlisten_locked();
	mutex_unlock(&elastic_cluster_lock);
	for (i = 1; i <= ELASTIC_MAX_NODE_ID; i++)
		if (rcu_access_pointer(elastic_peers[i]))
			elastic_node_del(i);
	elastic_conns_shutdown(0);
	wait_event(elastic_conns_wq, !atomic_read(&elastic_nconns));
	rcu_barrier();	/* the kfree_rcu() of removed peers */
}
