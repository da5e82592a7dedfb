/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SpotOS elastic module: the members of the cluster, one structure per
 * node id.
 *
 * Every layer keeps what it knows of a member in its own part of struct
 * elastic_member: membership and the transport in the peer (allocated
 * while the node is a member), the memory layer what this node's
 * processes keep on the member (@home) and what this node hosts for the
 * member's processes (@host).  member.c is below every layer that uses
 * it: it looks members up, changes their state and tells the layer that
 * registered for it (struct elastic_member_ops).
 */
#ifndef _ELASTIC_MEMBER_H
#define _ELASTIC_MEMBER_H

#include <linux/in.h>
#include <linux/jiffies.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <net/strparser.h>
#include <uapi/linux/elastic.h>

struct socket;
struct sock;
struct task_struct;

/**
 * struct elastic_watch - what a member's sender thread saw of its life
 * @sign:	jiffies of the latest sign of life it saw
 * @silent:	its beats in a row that saw no newer sign
 */
struct elastic_watch {
	unsigned long sign;
	unsigned int silent;
};

/**
 * elastic_watch_beat - one beat's look at a member: is it dead?
 * @w: the watch
 * @sign: jiffies of the member's latest sign of life
 * @now: jiffies
 * @dead_after: the detection period, in jiffies
 * @misses: beats in a row without a newer sign that it takes
 *
 * Silent for the period is not enough: the beats count too, so that a
 * stall of this node (its threads held back for seconds) does not pass
 * for the member's silence; when it ends, what the member sent meanwhile
 * is seen before @misses beats go by.  A sign older than one seen before
 * (evidence looked at only when it can be) changes nothing.
 *
 * Return: true when the member is to be declared dead.
 */
static inline bool elastic_watch_beat(struct elastic_watch *w, unsigned long sign,
				      unsigned long now, unsigned long dead_after,
				      unsigned int misses)
{
	if (time_after(sign, w->sign)) {
		w->sign = sign;
		w->silent = 0;
	} else if (w->silent < UINT_MAX) {
		w->silent++;
	}
	return time_after(now, w->sign + dead_after) && w->silent >= misses;
}

/*
 * The later of @last and @stamp, a TCP timestamp of the member's socket
 * (tcp_jiffies32: the low 32 bits of jiffies), in jiffies.
 */
static inline unsigned long elastic_later_tcp_stamp(unsigned long last, u32 stamp)
{
	unsigned long t = jiffies - (u32)((u32)jiffies - stamp);

	return time_after(t, last) ? t : last;
}

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
 * @room:	pages it said, in its latest heartbeat, it can still take for
 *		others; READ_ONCE/WRITE_ONCE
 * @tx_task:	its sender thread (NULL for this node itself)
 * @tx_sock:	the sender's connection, or NULL; changed under @tx_lock, so
 *		that removal can shut it down to wake a blocked sender
 * @tx_lock:	protects changes of @tx_sock and sending on it, so that
 *		messages from several threads never interleave (a mutex:
 *		sending and shutting a socket down sleep)
 * @tx_conn:	number of @tx_sock's connection, unique on this node;
 *		written under @tx_lock, read with READ_ONCE
 * @users:	one for the member table plus one per sender outside
 *		elastic_cluster_lock; removal waits for it to reach zero
 * @rcu:	freeing after a grace period, as receivers look peers up
 *		under RCU
 * @reply_strp:	cuts the replies the member sends back on @tx_sock out of
 *		that stream (a member answers a PULL on the connection it came
 *		in on); under the socket's lock
 * @reply_err:	the reply parser stopped on a bad message: the sender thread
 *		closes @tx_sock and connects again.  READ_ONCE/WRITE_ONCE
 * @data_ready:	@tx_sock's receive callback before the reply parser's
 * @watch:	what the sender thread saw of its life; the thread's own
 *
 * Locking: elastic_cluster_lock (membership.c, a mutex) serialises
 * membership changes and protects the member table's peer pointers for
 * writers; receivers and readers find peers under RCU.
 */
struct elastic_peer {
	u32 id;
	struct sockaddr_in addr;
	u32 state;
	unsigned long last_heard;
	atomic64_t rx_msgs;
	atomic64_t tx_msgs;
	u64 incarnation;
	u64 room;
	struct task_struct *tx_task;
	struct socket *tx_sock;
	struct mutex tx_lock;	/* see @tx_lock above */
	u32 tx_conn;
	refcount_t users;
	struct rcu_head rcu;
	struct strparser reply_strp;
	int reply_err;
	void (*data_ready)(struct sock *sk);
	struct elastic_watch watch;
};

/* struct elastic_member_home.flags */
#define ELASTIC_MEMBER_DRAINING	0	/* no new pages go to it */

/**
 * struct elastic_member_home - this node's processes' pages on a member
 * @held:	slots of the owner map that name the member (slots.c)
 * @flags:	ELASTIC_MEMBER_DRAINING (drain.c; atomic bit operations)
 * @evac_work:	runs the drain the member asked for with EVACUATE (drain.c)
 * @relieve_want: pages the member asked to be moved off it (RELIEVE)
 * @relieve_work: moves them (drain.c)
 * @room:	pages the member said it can still take, in its latest
 *		heartbeat; READ_ONCE/WRITE_ONCE
 */
struct elastic_member_home {
	atomic_long_t held;
	unsigned long flags;
	struct work_struct evac_work;
	atomic_long_t relieve_want;
	struct work_struct relieve_work;
	u64 room;
};

/**
 * struct elastic_member_host - what this node hosts for a member
 * @pages:	slot -> page (store.c), its own lock
 * @count:	pages in @pages
 * @orphans:	drops them once the member stayed dead (hosting.c)
 * @placed:	slot -> where the page lives in its process, an xarray of
 *		values (shadow.c), its own lock
 * @mapped:	pages of @pages mapped in one of the member's shadows
 */
struct elastic_member_host {
	struct xarray pages;
	atomic_long_t count;
	struct delayed_work orphans;
	struct xarray placed;
	atomic_long_t mapped;
};

/**
 * struct elastic_member - all this node knows of node id N
 * @peer:	the member while it is one (node-add to node-del), RCU
 * @home:	what this node's processes keep on it
 * @host:	what this node keeps for its processes
 *
 * One for every id, whether it is a member or not: @home and @host are
 * initialised once at load by the layers that own them.
 */
struct elastic_member {
	struct elastic_peer __rcu *peer;
	struct elastic_member_home home;
	struct elastic_member_host host;
};

extern struct elastic_member elastic_members[ELASTIC_MAX_NODE_ID + 1];

/**
 * struct elastic_cluster_params - transport settings (sysctls)
 * @listen_port:	TCP port this node accepts members' connections on
 * @heartbeat_ms:	interval between heartbeats to each member
 * @heartbeat_misses:	silent intervals after which a member is dead
 *
 * Written by the sysctl handlers, read with READ_ONCE().
 */
struct elastic_cluster_params {
	u32 listen_port;
	u32 heartbeat_ms;
	u32 heartbeat_misses;
};

extern struct elastic_cluster_params elastic_params;

/* How long a member may stay silent before it is declared dead. */
static inline unsigned long elastic_dead_after(void)
{
	return msecs_to_jiffies(READ_ONCE(elastic_params.heartbeat_ms) *
				READ_ONCE(elastic_params.heartbeat_misses));
}

/**
 * struct elastic_member_ops - what the memory layer hears of members
 * @dead:	the member was declared dead.  Process context, may sleep.
 * @restarted:	the member came back as a new incarnation; what was kept
 *		for its earlier life must go.  Called by the receiver of its
 *		HELLO before it reads the new life's first message.
 * @removed:	the member was removed (node-del).  May sleep.
 * @busy:	whether it holds pages of this node's processes (node-del
 *		then fails with EBUSY).  Under elastic_cluster_lock.
 * @room:	pages this node can still take for other nodes' processes,
 *		which its heartbeats say.  Must not sleep.
 */
struct elastic_member_ops {
	void (*dead)(u32 id);
	void (*restarted)(u32 id);
	void (*removed)(u32 id);
	bool (*busy)(u32 id);
	u64 (*room)(void);
};

void elastic_member_listen(const struct elastic_member_ops *ops);
void elastic_member_announce(u32 id, u32 state);
void elastic_member_restarted(u32 id);
bool elastic_member_busy(u32 id);
void elastic_member_removed(u32 id);
u64 elastic_member_room_here(void);
u64 elastic_peer_room(u32 id);

struct elastic_peer *elastic_peer_ref(u32 id);
void elastic_peer_unref(struct elastic_peer *p);
bool elastic_node_known(u32 id);
bool elastic_peer_alive(u32 id);
bool elastic_peer_up(u32 id);
u32 elastic_peer_conn(u32 id);
bool elastic_peer_set_state(struct elastic_peer *p, u32 state);

/* The node id whose struct elastic_member holds @home. */
static inline u32 elastic_member_of_home(struct elastic_member_home *home)
{
	return container_of(home, struct elastic_member, home) - elastic_members;
}

/* The node id whose struct elastic_member holds @host. */
static inline u32 elastic_member_of_host(struct elastic_member_host *host)
{
	return container_of(host, struct elastic_member, host) - elastic_members;
}

/* Is member @id being drained (no new pages go to it)? */
static inline bool elastic_member_draining(u32 id)
{
	return test_bit(ELASTIC_MEMBER_DRAINING, &elastic_members[id].home.flags);
}

/* The peer of @id under RCU, or NULL (caller in an RCU read-side section). */
static inline struct elastic_peer *elastic_peer_rcu(u32 id)
{
	return rcu_dereference(elastic_members[id].peer);
}

#endif /* _ELASTIC_MEMBER_H */
