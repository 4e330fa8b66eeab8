/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-sim.h: the simulator engine. It plans a graph once (topological
 * schedule, one kernel per node, constants as borrowed values, the last use
 * of every tensor) and then executes it node by node: step, run to a node,
 * run to the end, reset, cancel from another thread, observe.
 *
 * Memory: a tensor arena. After node i has run, the buffers of tensors whose
 * last reader was node i go to a free list and are reused by later outputs
 * that fit; graph outputs and observed ("kept") tensors are never recycled.
 *
 * Threads: heavy kernels split their work over one LaminaParallel owned by
 * the simulator. The simulator itself is used from one thread at a time;
 * only lamina_sim_cancel may be called from another thread.
 *
 * Optimisations (lamina-sim-optimize.h): nodes whose inputs are all
 * constants run once at plan time (their steps then take no time and their
 * outputs are readable from the start); a Conv may compute the
 * BatchNormalization and Relu/Clip after it. Fused steps are only taken
 * while no observer is set, keep_all is off and the skipped tensors are not
 * kept, so whoever looks at intermediate tensors sees the graph as written.
 *
 * Subgraph operators (If, Loop, Scan) have no kernels yet: graphs that use
 * them fail to plan with LAMINA_KERNEL_ERROR_UNSUPPORTED.
 */
#pragma once

#include <gio/gio.h>
#include "graph/lamina-graph.h"
#include "ops/lamina-kernel.h"

G_BEGIN_DECLS

typedef struct _LaminaSim LaminaSim;

/* Kernel lookup (for tests, and later for other kernel sets); NULL in the
 * options means lamina_kernel_lookup. */
typedef const LaminaKernel *(*LaminaSimLookupFunc) (const char *op_type, const char *domain,
                                                    gpointer data);

/* Plan-time optimisations (lamina-sim-optimize.h): all on by default
 * (0); these flags turn them off. */
typedef enum {
  LAMINA_SIM_OPTIMIZE_ALL     = 0,
  LAMINA_SIM_OPTIMIZE_NO_FOLD = 1 << 0,   /* run constant subgraphs at every run */
  LAMINA_SIM_OPTIMIZE_NO_FUSE = 1 << 1,   /* no BatchNormalization folding nor activation fusion */
  LAMINA_SIM_OPTIMIZE_NONE    = LAMINA_SIM_OPTIMIZE_NO_FOLD | LAMINA_SIM_OPTIMIZE_NO_FUSE,
} LaminaSimOptimize;

typedef struct {
  int                 threads;      /* <= 0: all cores */
  LaminaSimLookupFunc lookup;       /* NULL: the built-in kernels */
  gpointer            lookup_data;
  LaminaSimOptimize   optimize;     /* 0: every optimisation */
} LaminaSimOptions;

/* Called in the running thread after each executed node with its output
 * values (an entry is NULL when the output is omitted or was not computed
 * because nobody reads it) and its wall time in milliseconds. */
typedef void (*LaminaSimObserver) (const LaminaNode *node, const LaminaValue *const *outputs,
                                   guint n_outputs, double ms, gpointer data);

/* Plans `graph` (usually model->graph; model gives the opsets and may be
 * NULL, then every opset is 0). Fails when a node has no kernel (the
 * message names operator, domain and opset; LAMINA_KERNEL_ERROR_UNSUPPORTED),
 * when the graph has a cycle, a constant is malformed, or a node reads a
 * tensor that nothing produces. The model must outlive the simulator. */
LaminaSim   *lamina_sim_new (LaminaModel *model, LaminaGraph *graph,
                             const LaminaSimOptions *options, GError **error);
void         lamina_sim_free (LaminaSim *sim);

/* Nodes of graph (file order) that have no built-in kernel: for `info` and
 * the window. Folded Constant nodes need none. Borrowed LaminaNode*. */
GPtrArray   *lamina_sim_unsupported_nodes (LaminaGraph *graph);
/* Nodes of the graph that run as "float fallback": quantized, without an
 * integer kernel but with a float one (lamina_kernel_node_needs_fallback).
 * Free with g_ptr_array_unref. */
GPtrArray   *lamina_sim_fallback_nodes (LaminaGraph *graph);

int          lamina_sim_threads (const LaminaSim *sim);

/* Sets graph input `name` to a copy of v. dtype and rank must match the
 * graph's declaration and so must every static dimension; symbolic or
 * unknown dimensions take v's size. Setting an input resets the run. */
gboolean     lamina_sim_set_input (LaminaSim *sim, const char *name, const LaminaValue *v,
                                   GError **error);

/* The schedule: n_steps nodes; position = how many have run. */
guint              lamina_sim_n_steps   (const LaminaSim *sim);
guint              lamina_sim_position  (const LaminaSim *sim);
const LaminaNode  *lamina_sim_step_node (const LaminaSim *sim, guint i);
/* The operator step i runs as: its node's, or that of the kernel a live
 * fusion replaced it with (QLinearConv for a QDQ convolution, LookupTable,
 * Identity for the copies of a QDQ group ...). */
const char        *lamina_sim_step_op   (const LaminaSim *sim, guint i);
/* The step index of node, or -1 when it is not in the schedule. */
int                lamina_sim_step_of   (const LaminaSim *sim, const LaminaNode *node);

/* Runs the next node (nothing when all have run). On error the position
 * stays before the failing node. Every graph input must have been set. */
gboolean     lamina_sim_step   (LaminaSim *sim, GError **error);
/* Runs until `node` has run (nothing when it already has). */
gboolean     lamina_sim_run_to (LaminaSim *sim, const LaminaNode *node, GError **error);
/* Runs to the end. */
gboolean     lamina_sim_run    (LaminaSim *sim, GError **error);
/* Back before the first node; inputs are kept, computed values released. */
void         lamina_sim_reset  (LaminaSim *sim);
/* Thread-safe: a running run/run_to stops after the current node and fails
 * with G_IO_ERROR_CANCELLED. Only affects a run in progress (each run
 * clears the request when it starts). */
void         lamina_sim_cancel (LaminaSim *sim);

void         lamina_sim_set_observer (LaminaSim *sim, LaminaSimObserver observer, gpointer data);

/* Observed tensors are exempt from arena reuse (and computed even when no
 * node reads them). keep_all: every tensor (--dump, "inspect anything"). */
void         lamina_sim_keep     (LaminaSim *sim, const LaminaTensor *t, gboolean keep);
void         lamina_sim_keep_all (LaminaSim *sim, gboolean keep);

/* The current value of t: constants and set inputs always; activations once
 * computed and until recycled by the arena or a reset; else NULL. */
const LaminaValue *lamina_sim_get_value (const LaminaSim *sim, const LaminaTensor *t);

/* Wall time of the node's last execution since the last reset, in
 * milliseconds; negative when it has not run. */
double       lamina_sim_node_ms (const LaminaSim *sim, const LaminaNode *node);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LaminaSim, lamina_sim_free)

G_END_DECLS
