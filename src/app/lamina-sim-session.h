/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-sim-session.h: the simulator of one window. Owns a LaminaSim for
 * the main graph of a document and runs it in a worker thread; the UI sees
 * its progress through GObject properties and signals emitted on the main
 * thread (the observer's per-node notifications are batched through one
 * idle source, so a fast model cannot flood the main loop).
 *
 * Inputs: each graph input is zeros, random values (seeded) or a .npy file,
 * with a shape (dynamic dimensions need one). Every tensor is kept (the
 * tensor view may show any of them), so values stay until the next reset.
 *
 * While `running` is TRUE the LaminaSim belongs to the worker: values may
 * only be read through lamina_sim_session_copy_value when it is FALSE.
 */
#pragma once

#include <gio/gio.h>
#include "lamina-document.h"
#include "sim/lamina-sim.h"

G_BEGIN_DECLS

typedef enum {
  LAMINA_INPUT_ZEROS,
  LAMINA_INPUT_RANDOM,   /* uniform [0, 1) for floats, 0…9 for integers */
  LAMINA_INPUT_NPY,
  LAMINA_INPUT_VALUE,    /* a value given by the program (an image) */
} LaminaInputSource;

#define LAMINA_TYPE_SIM_SESSION (lamina_sim_session_get_type ())
G_DECLARE_FINAL_TYPE (LaminaSimSession, lamina_sim_session, LAMINA, SIM_SESSION, GObject)

LaminaSimSession *lamina_sim_session_new (LaminaDocument *document);

LaminaDocument *lamina_sim_session_get_document (LaminaSimSession *self);
LaminaGraph    *lamina_sim_session_get_graph    (LaminaSimSession *self);

/* Nodes without a kernel (borrowed); the session cannot run when non-empty. */
GPtrArray  *lamina_sim_session_get_unsupported (LaminaSimSession *self);
gboolean    lamina_sim_session_is_unsupported  (LaminaSimSession *self, const LaminaNode *node);

/* Worker threads for heavy kernels (<= 0: all cores); applies to the next run. */
void        lamina_sim_session_set_threads (LaminaSimSession *self, int threads);
int         lamina_sim_session_get_threads (LaminaSimSession *self);

/* Input configuration; changing it resets the run. shape: "1x3x640x640"
 * (NULL keeps the current one); path for LAMINA_INPUT_NPY. */
gboolean    lamina_sim_session_set_input (LaminaSimSession *self, const char *name, LaminaInputSource source,
                                          const char *shape, const char *path, GError **error);
/* Sets input name to a copy of value (source LAMINA_INPUT_VALUE). */
gboolean    lamina_sim_session_set_input_value (LaminaSimSession *self, const char *name,
                                                const LaminaValue *value, GError **error);
LaminaInputSource lamina_sim_session_get_input (LaminaSimSession *self, const char *name,
                                                char **shape, char **path);
/* Seed of the random inputs; applies with the next reset. */
void        lamina_sim_session_set_seed (LaminaSimSession *self, guint32 seed);

/* Commands. They return at once; the work happens in the worker and the
 * result arrives through "notify::position" and "stopped". Commands while
 * running are ignored (FALSE). run_to: until node has run. */
gboolean    lamina_sim_session_step   (LaminaSimSession *self);
gboolean    lamina_sim_session_run    (LaminaSimSession *self);
gboolean    lamina_sim_session_run_to (LaminaSimSession *self, const LaminaNode *node);
/* Forgets computed values (cancels a running command first). */
void        lamina_sim_session_reset  (LaminaSimSession *self);
/* Stops a running command after the node in progress. */
void        lamina_sim_session_cancel (LaminaSimSession *self);

gboolean    lamina_sim_session_is_running (LaminaSimSession *self);
/* Schedule length (0 before the first command has planned the graph) and
 * how many nodes have run. */
guint       lamina_sim_session_get_n_steps  (LaminaSimSession *self);
guint       lamina_sim_session_get_position (LaminaSimSession *self);
/* Plans the graph now (commands do it when needed); FALSE + error when a
 * node has no kernel or the graph cannot be planned. */
gboolean    lamina_sim_session_prepare (LaminaSimSession *self, GError **error);
/* Node i of the schedule (NULL past the end). */
const LaminaNode *lamina_sim_session_get_step_node (LaminaSimSession *self, guint i);
/* Node that runs next (NULL when done or before planning). */
const LaminaNode *lamina_sim_session_get_next_node (LaminaSimSession *self);
/* Milliseconds of node's last execution, negative when it has not run. */
double      lamina_sim_session_get_node_ms (LaminaSimSession *self, const LaminaNode *node);
/* TRUE when every node has run. */
gboolean    lamina_sim_session_is_finished (LaminaSimSession *self);

/* A copy of t's current value (constants, inputs and computed tensors);
 * NULL (and FALSE) when it has none or the session is running. */
gboolean    lamina_sim_session_copy_value (LaminaSimSession *self, const LaminaTensor *t,
                                           LaminaValue *out);

G_END_DECLS
