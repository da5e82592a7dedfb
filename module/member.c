// SPDX-License-Identifier: GPL-2.0
/*
 * SpotOS elastic module: the member table, members' liveness and what
 * happens to them.
 *
 * Below the transport and the memory layer: it looks members up and
 * announces their changes of state (log line, event, and the memory
 * layer's callbacks, struct elastic_member_ops), and calls no file above
 * it.  The peers themselves are made and removed by membership.c.
 *
 * Locking: a peer pointer is written under elastic_cluster_lock and read
 * under RCU; the peer's own fields as struct elastic_peer says.  The
 * listener is set once at load, before any member exists, and cleared at
 * unload after the last one went.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>

#include "internal.h"
#include "member.h"
#include "node.h"

struct elastic_member elastic_members[ELASTIC_MAX_NODE_ID + 1];

struct elastic_cluster_params elastic_params = {
	.listen_port = 7070,
	.heartbeat_ms = 1000,
	.heartbeat_misses = 5,
};

static const struct elastic_member_ops *elastic_member_ops;

/**
 * elastic_member_listen - tell @ops of members' deaths, restarts, removals
 * @ops: the memory layer's callbacks, or NULL to stop
 */
void elastic_member_listen(const struct elastic_member_ops *ops)
{
	WRITE_ONCE(elastic_member_ops, ops);
}

/**
 * elastic_peer_ref - a member to send to, with a reference
 * @id: node id
 *
 * Return: the peer (release with elastic_peer_unref()), or NULL when @id is
 * no member other than this node.
 */
struct elastic_peer *elastic_peer_ref(u32 id)
{
	struct elastic_peer *p;

	if (!elastic_node_id_valid(id))
		return NULL;
	rcu_read_lock();
	p = rcu_dereference(elastic_members[id].peer);
	if (p && (!p->tx_task || !refcount_inc_not_zero(&p->users)))
		p = NULL;
	rcu_read_unlock();
	return p;
}

/**
 * elastic_peer_unref - drop a reference from elastic_peer_ref()
 * @p: the peer
 */
void elastic_peer_unref(struct elastic_peer *p)
{
	if (refcount_dec_and_test(&p->users))
		wake_up_var(&p->users);
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
	known = rcu_dereference(elastic_members[id].peer);
	rcu_read_unlock();
	return known;
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
	p = rcu_dereference(elastic_members[id].peer);
	alive = p && READ_ONCE(p->state) != ELASTIC_NODE_STATE_DEAD;
	rcu_read_unlock();
	return alive;
}

/**
 * elastic_peer_up - do member @id's messages arrive?
 * @id: node id
 *
 * Return: true when it is up (not connecting, not dead, not this node).
 */
bool elastic_peer_up(u32 id)
{
	struct elastic_peer *p;
	bool up;

	if (!elastic_node_id_valid(id))
		return false;
	rcu_read_lock();
	p = rcu_dereference(elastic_members[id].peer);
	up = p && READ_ONCE(p->state) == ELASTIC_NODE_STATE_UP;
	rcu_read_unlock();
	return up;
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
	p = rcu_dereference(elastic_members[id].peer);
	if (p && READ_ONCE(p->tx_sock))
		conn = READ_ONCE(p->tx_conn);
	rcu_read_unlock();
	return conn;
}

/**
 * elastic_peer_set_state - change a member's state
 * @p: the member
 * @state: enum elastic_node_state
 *
 * Atomic, never sleeps; the caller announces a change with
 * elastic_member_announce() outside RCU.
 *
 * Return: true when the state changed.
 */
bool elastic_peer_set_state(struct elastic_peer *p, u32 state)
{
	return xchg(&p->state, state) != state;
}

/* Has member @id ever said HELLO to this node? */
static bool elastic_peer_heard(u32 id)
{
	struct elastic_peer *p;
	bool heard;

	rcu_read_lock();
	p = rcu_dereference(elastic_members[id].peer);
	heard = p && READ_ONCE(p->incarnation);
	rcu_read_unlock();
	return heard;
}

/**
 * elastic_member_announce - log and announce a member's new state
 * @id: node id
 * @state: the state it changed to
 *
 * May sleep, so never under RCU.  A death is told to the memory layer.
 */
void elastic_member_announce(u32 id, u32 state)
{
	const struct elastic_member_ops *ops = READ_ONCE(elastic_member_ops);

	if (state == ELASTIC_NODE_STATE_DEAD) {
		pr_warn("node %u declared dead: nothing from it for %u heartbeats of %u ms%s\n",
			id, READ_ONCE(elastic_params.heartbeat_misses),
			READ_ONCE(elastic_params.heartbeat_ms),
			elastic_peer_heard(id) ? "" : " (never reached)");
		if (ops)
			ops->dead(id);
		elastic_event(ELASTIC_EVENT_TYPE_NODE_DEAD, id);
	} else if (state == ELASTIC_NODE_STATE_UP) {
		pr_info("node %u up\n", id);
		elastic_event(ELASTIC_EVENT_TYPE_NODE_UP, id);
	}
}

/**
 * elastic_member_restarted - member @id came back as a new incarnation
 * @id: node id
 */
void elastic_member_restarted(u32 id)
{
	const struct elastic_member_ops *ops = READ_ONCE(elastic_member_ops);

	if (ops)
		ops->restarted(id);
}

/**
 * elastic_member_busy - does member @id hold pages of this node's processes?
 * @id: node id
 *
 * Return: true when it may not be removed.
 */
bool elastic_member_busy(u32 id)
{
	const struct elastic_member_ops *ops = READ_ONCE(elastic_member_ops);

	return ops && ops->busy(id);
}

/**
 * elastic_member_removed - member @id was removed
 * @id: node id
 */
void elastic_member_removed(u32 id)
{
	const struct elastic_member_ops *ops = READ_ONCE(elastic_member_ops);

	if (ops)
		ops->removed(id);
	elastic_event(ELASTIC_EVENT_TYPE_NODE_REMOVED, id);
}

/**
 * elastic_member_room_here - pages this node can still take for others
 *
 * What its heartbeats say (struct elastic_wire_heartbeat).
 *
 * Return: the pages, 0 before the memory layer is there.
 */
u64 elastic_member_room_here(void)
{
	const struct elastic_member_ops *ops = READ_ONCE(elastic_member_ops);

	return ops ? ops->room() : 0;
}

/**
 * elastic_peer_room - pages member @id can still take, as it last said
 * @id: node id
 *
 * Return: the pages, 0 for no member, or one not up.
 */
u64 elastic_peer_room(u32 id)
{
	struct elastic_peer *p;
	u64 room = 0;

	if (!elastic_node_id_valid(id))
		return 0;
	rcu_read_lock();
	p = rcu_dereference(elastic_members[id].peer);
	if (p && READ_ONCE(p->state) == ELASTIC_NODE_STATE_UP)
		room = READ_ONCE(p->room);
	rcu_read_unlock();
	return room;
}
