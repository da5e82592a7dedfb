// SPDX-License-Identifier: GPL-2.0
/*
 * SpotOS elastic module: cluster membership.
 *
 * Members are added and removed over netlink.  Each member other than this
 * node gets a sender thread (elastic-tx/N) that connects to the member's
 * address, says HELLO, then sends a HEARTBEAT every heartbeat_ms; it never
 * exits on its own, only through kthread_stop() when the member is removed
 * or the module unloads.  A member whose messages stop for
 * heartbeat_misses intervals is declared dead (member.c announces it);
 * when they resume it is up again.  Two connections per pair, one each
 * way, keep the roles simple: a node sends its own messages only on
 * connections it made (transport.c) and receives them on ones it accepted
 * (receive.c).
 *
 * Locking: elastic_cluster_lock (a mutex) serialises membership changes,
 * the listener's restarts and changes of this node's id.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kthread.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <net/sock.h>

#include "internal.h"
#include "member.h"
#include "node.h"
#include "transport.h"

static DEFINE_MUTEX(elastic_cluster_lock);

/*
 * When @p last showed that it lives: its last whole message, a message of
 * it still arriving or waiting here (elastic_rx_last_sign()), or its
 * acknowledgment of what this node sent it.  A node that stalls (short of
 * memory, its sender held back) still acknowledges; one that is gone
 * does not.  The connection is looked at only if no send holds it.
 */
static unsigned long elastic_peer_last_sign(struct elastic_peer *p)
{
	unsigned long last = elastic_rx_last_sign(p->id, READ_ONCE(p->last_heard));

	if (!mutex_trylock(&p->tx_lock))
		return last;
	if (p->tx_sock)
		last = elastic_later_tcp_stamp(last, READ_ONCE(tcp_sk(p->tx_sock->sk)->rcv_tstamp));
	mutex_unlock(&p->tx_lock);
	return last;
}

/* One beat of a sender: (re)connect or send a heartbeat, then check liveness. */
static void elastic_tx_beat(struct elastic_peer *p)
{
	struct elastic_wire_heartbeat hb;
	struct kvec part = { .iov_base = &hb, .iov_len = sizeof(hb) };
	u32 state;
	bool dead;

	/* The member sent back something other than a good reply. */
	if (READ_ONCE(p->tx_sock) && READ_ONCE(p->reply_err)) {
		elastic_count_bad_frame();
		pr_debug("closing connection to node %u: bad reply (%d)\n", p->id,
			 READ_ONCE(p->reply_err));
		elastic_tx_close(p);
	}
	if (!READ_ONCE(p->tx_sock)) {
		elastic_tx_connect(p);
	} else {
		hb.room = cpu_to_be64(elastic_member_room_here());
		elastic_peer_xmit(p, ELASTIC_MSG_HEARTBEAT, elastic_next_seq(), &part, 1, NULL, 0,
				  false);
	}

	/*
	 * Silent for the detection period, at as many beats of this thread:
	 * dead, or never reached (a wrong address, a node not started): what
	 * waits for it must not wait on.
	 */
	dead = elastic_watch_beat(&p->watch, elastic_peer_last_sign(p), jiffies,
				  elastic_dead_after(),
				  READ_ONCE(elastic_params.heartbeat_misses));
	state = READ_ONCE(p->state);
	if ((state == ELASTIC_NODE_STATE_UP || state == ELASTIC_NODE_STATE_CONNECTING) &&
	    dead && elastic_peer_set_state(p, ELASTIC_NODE_STATE_DEAD))
		elastic_member_announce(p->id, ELASTIC_NODE_STATE_DEAD);
}

/* One sender per member: connect, HELLO, heartbeats; check liveness. */
static int elastic_tx_thread(void *data)
{
	struct elastic_peer *p = data;
	unsigned int ms;

	while (!kthread_should_stop()) {
		elastic_tx_beat(p);
		ms = READ_ONCE(elastic_params.heartbeat_ms);
		schedule_timeout_interruptible(msecs_to_jiffies(ms));
	}
	elastic_tx_close(p);
	return 0;
}

/**
 * elastic_cluster_has_members - whether any member other than this node exists
 *
 * Return: true when this node's id is in use on the wire.
 */
bool elastic_cluster_has_members(void)
{
	struct elastic_peer *p;
	bool found = false;
	int i;

	rcu_read_lock();
	for (i = 1; i <= ELASTIC_MAX_NODE_ID && !found; i++) {
		p = elastic_peer_rcu(i);
		found = p && p->tx_task;
	}
	rcu_read_unlock();
	return found;
}

/**
 * elastic_cluster_set_node_id - give this node a new id
 * @id: the id, 1..ELASTIC_MAX_NODE_ID
 *
 * Announces the change on the events multicast group.  The id is in every
 * message to the members, so it cannot change while there are any.
 *
 * Return: 0, -EINVAL (counted as bad input) for an id out of range, or
 * -EBUSY while the node has members.
 */
int elastic_cluster_set_node_id(u32 id)
{
	bool changed;

	if (!elastic_node_id_valid(id)) {
		elastic_count_bad_input();
		return -EINVAL;
	}
	mutex_lock(&elastic_cluster_lock);
	changed = elastic_node_id() != id;
	if (changed && elastic_cluster_has_members()) {
		mutex_unlock(&elastic_cluster_lock);
		return -EBUSY;
	}
	WRITE_ONCE(elastic_node.id, id);
	if (changed)
		elastic_event(ELASTIC_EVENT_TYPE_CONFIG_CHANGED, 0);
	mutex_unlock(&elastic_cluster_lock);
	return 0;
}

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
	p->watch.sign = p->last_heard;
	mutex_init(&p->tx_lock);
	refcount_set(&p->users, 1);
	p->state = id == elastic_node_id() ? ELASTIC_NODE_STATE_SELF :
					     ELASTIC_NODE_STATE_CONNECTING;

	mutex_lock(&elastic_cluster_lock);
	for (i = 1; i <= ELASTIC_MAX_NODE_ID; i++) {
		q = rcu_dereference_protected(elastic_members[i].peer,
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
	rcu_assign_pointer(elastic_members[id].peer, p);
	p = NULL;
out:
	mutex_unlock(&elastic_cluster_lock);
	kfree(p);
	if (!ret)
		elastic_event(ELASTIC_EVENT_TYPE_NODE_ADDED, id);
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
	elastic_rx_shutdown(p->id);
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
	p = rcu_dereference_protected(elastic_members[id].peer,
				      lockdep_is_held(&elastic_cluster_lock));
	if (!p) {
		mutex_unlock(&elastic_cluster_lock);
		return -ENOENT;
	}
	if (elastic_member_busy(id)) {
		mutex_unlock(&elastic_cluster_lock);
		return -EBUSY;
	}
	RCU_INIT_POINTER(elastic_members[id].peer, NULL);
	mutex_unlock(&elastic_cluster_lock);
	elastic_peer_stop(p);
	kfree_rcu(p, rcu);
	elastic_member_removed(id);
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
	p = elastic_peer_rcu(id);
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
 * elastic_cluster_listen - (re)start listening on elastic_params.listen_port
 *
 * Return: 0, or the error of creating, binding or listening.
 */
int elastic_cluster_listen(void)
{
	int ret;

	mutex_lock(&elastic_cluster_lock);
	ret = elastic_rx_listen(READ_ONCE(elastic_params.listen_port));
	mutex_unlock(&elastic_cluster_lock);
	return ret;
}

int elastic_cluster_init(void)
{
	return elastic_cluster_listen();
}

void elastic_cluster_exit(void)
{
	int i;

	mutex_lock(&elastic_cluster_lock);
	elastic_rx_unlisten();
	mutex_unlock(&elastic_cluster_lock);
	for (i = 1; i <= ELASTIC_MAX_NODE_ID; i++)
		if (rcu_access_pointer(elastic_members[i].peer))
			elastic_node_del(i);
	elastic_rx_shutdown(0);
	elastic_rx_wait_all();
	rcu_barrier();	/* the kfree_rcu() of removed peers */
}
