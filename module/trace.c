// SPDX-License-Identifier: GPL-2.0
/*
 * SpotOS elastic module: the definitions of its tracepoints
 * (elastic_trace.h), made once here for every file that uses them.
 */
#define CREATE_TRACE_POINTS
#include "elastic_trace.h"
