/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SpotOS elastic module: tracepoints on pages that move (pull, push, drain).
 *
 * Enable with: echo 1 > /sys/kernel/tracing/events/elastic/enable
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM elastic

#if !defined(_ELASTIC_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _ELASTIC_TRACE_H

#include <linux/tracepoint.h>

/*
 * A remote page came home, by its fault (pulled: ret 0; or SIGBUS: ret <
 * 0), or mapped ahead of a fault (ahead, us 0: nothing waited for it).
 */
TRACE_EVENT(elastic_pull,
	    TP_PROTO(unsigned long addr, unsigned long slot, int owner, u64 ns,
		     bool prefetched, bool ahead, int ret),
	    TP_ARGS(addr, slot, owner, ns, prefetched, ahead, ret),
	    TP_STRUCT__entry(__field(unsigned long, addr)
			     __field(unsigned long, slot)
			     __field(int, owner)
			     __field(u64, ns)
			     __field(bool, prefetched)
			     __field(bool, ahead)
			     __field(int, ret)),
	    TP_fast_assign(__entry->addr = addr;
			   __entry->slot = slot;
			   __entry->owner = owner;
			   __entry->ns = ns;
			   __entry->prefetched = prefetched;
			   __entry->ahead = ahead;
			   __entry->ret = ret;),
	    TP_printk("addr=%#lx slot=%lu owner=%d us=%llu prefetched=%d ahead=%d ret=%d",
		      __entry->addr, __entry->slot, __entry->owner, __entry->ns / 1000,
		      __entry->prefetched, __entry->ahead, __entry->ret)
);

/* One batch of pages sent to a member: @moved of @n left this node. */
TRACE_EVENT(elastic_push,
	    TP_PROTO(u32 to, int n, long moved),
	    TP_ARGS(to, n, moved),
	    TP_STRUCT__entry(__field(u32, to)
			     __field(int, n)
			     __field(long, moved)),
	    TP_fast_assign(__entry->to = to;
			   __entry->n = n;
			   __entry->moved = moved;),
	    TP_printk("to=%u pages=%d moved=%ld", __entry->to, __entry->n, __entry->moved)
);

/* One batch moved by a drain from member @from to member @to. */
TRACE_EVENT(elastic_drain,
	    TP_PROTO(u32 from, u32 to, int n, long moved, unsigned long left),
	    TP_ARGS(from, to, n, moved, left),
	    TP_STRUCT__entry(__field(u32, from)
			     __field(u32, to)
			     __field(int, n)
			     __field(long, moved)
			     __field(unsigned long, left)),
	    TP_fast_assign(__entry->from = from;
			   __entry->to = to;
			   __entry->n = n;
			   __entry->moved = moved;
			   __entry->left = left;),
	    TP_printk("from=%u to=%u pages=%d moved=%ld left=%lu", __entry->from, __entry->to,
		      __entry->n, __entry->moved, __entry->left)
);

#endif /* _ELASTIC_TRACE_H */

/* The header is in module/, which is on the include path (Kbuild). */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE elastic_trace
#include <trace/define_trace.h>
