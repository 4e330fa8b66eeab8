/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-sim-session.c: the window's simulator (see lamina-sim-session.h).
 *
 * Threads: the LaminaSim is planned on the main thread (cheap: constants
 * are borrowed) and then driven by one GTask at a time. The main thread
 * keeps its own copy of the schedule and of the per-node times, fed by the
 * observer through a locked queue, so it never reads the LaminaSim while
 * the worker owns it.
 */
#define G_LOG_DOMAIN "lamina-sim-session"

#include <string.h>
#include <glib/gi18n.h>
#include "lamina-sim-session.h"
#include "sim/lamina-npy.h"
#include "sim/lamina-sim-input.h"

/* dynamic dimensions other than the batch get this size by default */
#define DEFAULT_DYNAMIC_SIZE 640

typedef struct {
  LaminaInputSource source;
  char             *shape;   /* "1x3x640x640" */
  char             *path;    /* LAMINA_INPUT_NPY */
  LaminaValue       value;   /* LAMINA_INPUT_VALUE (owned copy) */
} InputSpec;

typedef struct {
  const LaminaNode *node;
  double            ms;
} Done;

typedef enum { CMD_STEP, CMD_RUN, CMD_RUN_TO } CommandKind;

typedef struct {
  CommandKind       kind;
  const LaminaNode *target;
  GPtrArray        *inputs;   /* InputJob*, NULL when the inputs are set already */
  guint32           seed;
} Command;

typedef struct {
  const LaminaTensor *tensor;
  InputSpec           spec;     /* copy; value borrowed from the session's spec */
} InputJob;

struct _LaminaSimSession
{
  GObject         parent_instance;

  LaminaDocument *document;
  LaminaGraph    *graph;
  GPtrArray      *unsupported;
  GHashTable     *unsupported_set;

  LaminaSim      *sim;          /* NULL until planned; the worker's while running */
  int             threads;
  GHashTable     *inputs;       /* input name → InputSpec* */
  gboolean        inputs_dirty;
  guint32         seed;

  /* main thread view */
  gboolean        running;
  gboolean        reset_pending;
  GPtrArray      *schedule;     /* const LaminaNode*, a copy of the plan */
  GHashTable     *step_of;      /* node → index + 1 */
  GArray         *ms;           /* double per step, < 0 before it ran */
  guint           position;

  /* lamina_sim_cancel only reaches a run in progress; this flag also
   * catches a cancel that comes before the worker has started it */
  gint            cancel_requested;

  /* worker → main */
  GMutex          lock;
  GArray         *done;         /* Done */
  guint           done_idle;
};

G_DEFINE_FINAL_TYPE (LaminaSimSession, lamina_sim_session, G_TYPE_OBJECT)

enum { PROP_0, PROP_RUNNING, PROP_POSITION, PROP_N_STEPS, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { PROGRESS, STOPPED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* ---- inputs ------------------------------------------------------------------ */

static void
input_spec_free (InputSpec *spec)
{
  g_free (spec->shape);
  g_free (spec->path);
  lamina_value_clear (&spec->value);
  g_free (spec);
}

static void
add_default_inputs (LaminaSimSession *self)
{
  for (guint i = 0; i < self->graph->inputs->len; i++)
    {
      const LaminaTensor *t = g_ptr_array_index (self->graph->inputs, i);
      InputSpec *spec = g_new0 (InputSpec, 1);
      gint64 dims[LAMINA_MAX_RANK];
      int rank = 0;

      spec->source = LAMINA_INPUT_RANDOM;
      spec->shape = lamina_input_default_dims (t, DEFAULT_DYNAMIC_SIZE, &rank, dims)
                    ? lamina_format_dims (rank, dims) : g_strdup ("");
      g_hash_table_insert (self->inputs, g_strdup (t->name), spec);
    }
  self->inputs_dirty = TRUE;
}

/* Builds the value of one input in the worker. */
static gboolean
make_input (const InputJob *job, guint32 seed, LaminaValue *v, GError **error)
{
  const LaminaTensor *t = job->tensor;
  g_autoptr(GRand) rand = NULL;
  gint64 dims[LAMINA_MAX_RANK];
  int rank;

  switch (job->spec.source)
    {
    case LAMINA_INPUT_NPY:
      if (!lamina_npy_read (job->spec.path, v, error) || !lamina_value_convert_to_declared (v, t->dtype, error))
        return FALSE;
      return TRUE;
    case LAMINA_INPUT_VALUE:
      *v = job->spec.value;
      v->owned = FALSE;   /* borrowed from the spec: never freed here */
      return TRUE;
    case LAMINA_INPUT_ZEROS:
    case LAMINA_INPUT_RANDOM:
    default:
      if (!lamina_parse_dims (job->spec.shape ? job->spec.shape : "", &rank, dims, error) ||
          !lamina_value_set_shape (v, t->dtype, rank, dims, error))
        return FALSE;
      /* one stream per input name: adding an input leaves the others alone */
      rand = g_rand_new_with_seed (seed ^ g_str_hash (t->name));
      return lamina_value_fill (v, job->spec.source == LAMINA_INPUT_ZEROS ? LAMINA_FILL_ZEROS : LAMINA_FILL_RANDOM,
                                rand, error);
    }
}

static gboolean
apply_inputs (LaminaSim *sim, GPtrArray *jobs, guint32 seed, GError **error)
{
  for (guint i = 0; i < jobs->len; i++)
    {
      const InputJob *job = g_ptr_array_index (jobs, i);
      LaminaValue v = { 0 };
      gboolean ok = make_input (job, seed, &v, error) && lamina_sim_set_input (sim, job->tensor->name, &v, error);

      if (v.owned)
        lamina_value_clear (&v);
      if (!ok)
        {
          g_prefix_error (error, _("Input “%s”: "), job->tensor->name);
          return FALSE;
        }
    }
  return TRUE;
}

static void
input_job_free (InputJob *job)
{
  g_free (job->spec.shape);
  g_free (job->spec.path);
  g_free (job);
}

/* A snapshot of the input configuration for the worker. */
static GPtrArray *
input_jobs (LaminaSimSession *self)
{
  GPtrArray *jobs = g_ptr_array_new_with_free_func ((GDestroyNotify) input_job_free);

  for (guint i = 0; i < self->graph->inputs->len; i++)
    {
      const LaminaTensor *t = g_ptr_array_index (self->graph->inputs, i);
      const InputSpec *spec = g_hash_table_lookup (self->inputs, t->name);
      InputJob *job = g_new0 (InputJob, 1);

      job->tensor = t;
      job->spec = *spec;
      job->spec.shape = g_strdup (spec->shape);
      job->spec.path = g_strdup (spec->path);
      g_ptr_array_add (jobs, job);
    }
  return jobs;
}

/* ---- main-thread state ------------------------------------------------------------ */

static void
clear_times (LaminaSimSession *self)
{
  for (guint i = 0; i < self->ms->len; i++)
    g_array_index (self->ms, double, i) = -1;
}

static void
set_position (LaminaSimSession *self, guint position)
{
  if (self->position == position)
    return;
  self->position = position;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POSITION]);
}

static void
set_running (LaminaSimSession *self, gboolean running)
{
  if (self->running == running)
    return;
  self->running = running;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
drop_sim (LaminaSimSession *self)
{
  g_clear_pointer (&self->sim, lamina_sim_free);
  g_ptr_array_set_size (self->schedule, 0);
  g_hash_table_remove_all (self->step_of);
  g_array_set_size (self->ms, 0);
  self->inputs_dirty = TRUE;
  set_position (self, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_STEPS]);
}

static void on_node_done (const LaminaNode *node, const LaminaValue *const *outputs, guint n_outputs,
                          double ms, gpointer data);

/* Plans the graph (main thread, idle session). */
static gboolean
ensure_sim (LaminaSimSession *self, GError **error)
{
  LaminaSimOptions options = { .threads = self->threads };
  guint n;

  if (self->sim != NULL)
    return TRUE;
  self->sim = lamina_sim_new (lamina_document_get_model (self->document), self->graph, &options, error);
  if (self->sim == NULL)
    return FALSE;
  /* every tensor stays inspectable */
  lamina_sim_keep_all (self->sim, TRUE);
  /* a running command holds a reference on the session: self outlives it */
  lamina_sim_set_observer (self->sim, on_node_done, self);
  n = lamina_sim_n_steps (self->sim);
  for (guint i = 0; i < n; i++)
    {
      const LaminaNode *node = lamina_sim_step_node (self->sim, i);
      g_ptr_array_add (self->schedule, (gpointer) node);
      g_hash_table_insert (self->step_of, (gpointer) node, GUINT_TO_POINTER (i + 1));
    }
  g_array_set_size (self->ms, n);
  clear_times (self);
  self->inputs_dirty = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_STEPS]);
  return TRUE;
}

/* Moves the worker's notifications into the main-thread state. */
static gboolean
drain_done (gpointer data)
{
  LaminaSimSession *self = data;
  g_autoptr(GArray) done = NULL;
  guint position = self->position;

  g_mutex_lock (&self->lock);
  done = self->done;
  self->done = g_array_new (FALSE, FALSE, sizeof (Done));
  self->done_idle = 0;
  g_mutex_unlock (&self->lock);
  for (guint i = 0; i < done->len; i++)
    {
      const Done *d = &g_array_index (done, Done, i);
      guint step = GPOINTER_TO_UINT (g_hash_table_lookup (self->step_of, d->node));
      if (step == 0)
        continue;
      g_array_index (self->ms, double, step - 1) = d->ms;
      position = MAX (position, step);
    }
  set_position (self, position);
  if (done->len > 0)
    g_signal_emit (self, signals[PROGRESS], 0);
  return G_SOURCE_REMOVE;
}

/* Worker thread. */
static void
on_node_done (const LaminaNode *node, const LaminaValue *const *outputs, guint n_outputs,
              double ms, gpointer data)
{
  LaminaSimSession *self = data;
  Done d = { node, ms };

  if (g_atomic_int_get (&self->cancel_requested))
    lamina_sim_cancel (self->sim);
  g_mutex_lock (&self->lock);
  g_array_append_val (self->done, d);
  if (self->done_idle == 0)
    self->done_idle = g_idle_add_full (G_PRIORITY_DEFAULT, drain_done, g_object_ref (self), g_object_unref);
  g_mutex_unlock (&self->lock);
}

/* ---- commands ------------------------------------------------------------------ */

static void
command_free (Command *cmd)
{
  g_clear_pointer (&cmd->inputs, g_ptr_array_unref);
  g_free (cmd);
}

static void
command_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  LaminaSimSession *self = source;
  Command *cmd = task_data;
  GError *error = NULL;
  gboolean ok = TRUE;

  if (cmd->inputs != NULL)
    ok = apply_inputs (self->sim, cmd->inputs, cmd->seed, &error);
  if (ok && g_atomic_int_get (&self->cancel_requested))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
      return;
    }
  if (ok)
    switch (cmd->kind)
      {
      case CMD_STEP:
        ok = lamina_sim_step (self->sim, &error);
        break;
      case CMD_RUN:
        ok = lamina_sim_run (self->sim, &error);
        break;
      case CMD_RUN_TO:
      default:
        ok = lamina_sim_run_to (self->sim, cmd->target, &error);
        break;
      }
  if (ok)
    g_task_return_int (task, lamina_sim_position (self->sim));
  else
    g_task_return_error (task, error);
}

static void reset_now (LaminaSimSession *self);

static void
on_command_done (GObject *source, GAsyncResult *result, gpointer data)
{
  LaminaSimSession *self = LAMINA_SIM_SESSION (source);
  g_autoptr(GError) error = NULL;
  gssize position = g_task_propagate_int (G_TASK (result), &error);
  g_autofree char *message = NULL;

  /* the last notifications may still be queued */
  g_clear_handle_id (&self->done_idle, g_source_remove);
  drain_done (self);
  if (error == NULL)
    set_position (self, (guint) position);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    message = g_strdup (error->message);
  set_running (self, FALSE);
  if (self->reset_pending)
    reset_now (self);
  g_signal_emit (self, signals[STOPPED], 0, message);
}

static gboolean
start (LaminaSimSession *self, CommandKind kind, const LaminaNode *target)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  Command *cmd;

  if (self->running)
    return FALSE;
  if (!ensure_sim (self, &error))
    {
      g_signal_emit (self, signals[STOPPED], 0, error->message);
      return FALSE;
    }
  if (kind == CMD_RUN_TO && !g_hash_table_contains (self->step_of, target))
    return FALSE;
  if (kind != CMD_RUN_TO && self->position >= self->schedule->len)
    return FALSE;
  cmd = g_new0 (Command, 1);
  cmd->kind = kind;
  cmd->target = target;
  cmd->seed = self->seed;
  if (self->inputs_dirty)
    {
      cmd->inputs = input_jobs (self);
      self->inputs_dirty = FALSE;
      clear_times (self);
      set_position (self, 0);
    }
  g_atomic_int_set (&self->cancel_requested, FALSE);
  set_running (self, TRUE);
  task = g_task_new (self, NULL, on_command_done, NULL);
  g_task_set_task_data (task, cmd, (GDestroyNotify) command_free);
  g_task_run_in_thread (task, command_thread);
  return TRUE;
}

gboolean
lamina_sim_session_step (LaminaSimSession *self)
{
  g_return_val_if_fail (LAMINA_IS_SIM_SESSION (self), FALSE);
  return start (self, CMD_STEP, NULL);
}

gboolean
lamina_sim_session_run (LaminaSimSession *self)
{
  g_return_val_if_fail (LAMINA_IS_SIM_SESSION (self), FALSE);
  return start (self, CMD_RUN, NULL);
}

gboolean
lamina_sim_session_run_to (LaminaSimSession *self, const LaminaNode *node)
{
  guint step;

  g_return_val_if_fail (LAMINA_IS_SIM_SESSION (self), FALSE);
  step = GPOINTER_TO_UINT (g_hash_table_lookup (self->step_of, node));
  /* nothing to do when it has run already */
  if (step != 0 && step <= self->position && !self->inputs_dirty)
    return FALSE;
  return start (self, CMD_RUN_TO, node);
}

static void
reset_now (LaminaSimSession *self)
{
  self->reset_pending = FALSE;
  if (self->sim)
    lamina_sim_reset (self->sim);
  clear_times (self);
  set_position (self, 0);
  g_signal_emit (self, signals[PROGRESS], 0);
}

void
lamina_sim_session_reset (LaminaSimSession *self)
{
  g_return_if_fail (LAMINA_IS_SIM_SESSION (self));

  if (self->running)
    {
      self->reset_pending = TRUE;
      lamina_sim_session_cancel (self);
      return;
    }
  reset_now (self);
}

void
lamina_sim_session_cancel (LaminaSimSession *self)
{
  g_return_if_fail (LAMINA_IS_SIM_SESSION (self));
  /* thread-safe by contract; the sim exists while running */
  if (self->running)
    {
      g_atomic_int_set (&self->cancel_requested, TRUE);
      lamina_sim_cancel (self->sim);
    }
}

/* ---- settings ------------------------------------------------------------------------ */

void
lamina_sim_session_set_threads (LaminaSimSession *self, int threads)
{
  g_return_if_fail (LAMINA_IS_SIM_SESSION (self));

  threads = MAX (threads, 0);
  if (threads == self->threads)
    return;
  self->threads = threads;
  /* the thread pool belongs to the LaminaSim: plan again at the next command */
  if (!self->running)
    drop_sim (self);
  g_signal_emit (self, signals[PROGRESS], 0);
}

int
lamina_sim_session_get_threads (LaminaSimSession *self)
{
  g_return_val_if_fail (LAMINA_IS_SIM_SESSION (self), 0);
  return self->threads;
}

static void
inputs_changed (LaminaSimSession *self)
{
  self->inputs_dirty = TRUE;
  reset_now (self);
}

/* A running command reads the inputs: they change only between commands. */
static gboolean
check_idle (LaminaSimSession *self, GError **error)
{
  if (!self->running)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY, _("The simulator is running"));
  return FALSE;
}

gboolean
lamina_sim_session_set_input (LaminaSimSession *self, const char *name, LaminaInputSource source,
                              const char *shape, const char *path, GError **error)
{
  InputSpec *spec;
  gint64 dims[LAMINA_MAX_RANK];
  int rank;

  g_return_val_if_fail (LAMINA_IS_SIM_SESSION (self), FALSE);
  if (!check_idle (self, error))
    return FALSE;
  spec = g_hash_table_lookup (self->inputs, name);
  if (spec == NULL || source == LAMINA_INPUT_VALUE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("The model has no input “%s”"), name);
      return FALSE;
    }
  if (shape != NULL && !lamina_parse_dims (shape, &rank, dims, error))
    return FALSE;
  if (source == LAMINA_INPUT_NPY && (path == NULL || path[0] == '\0'))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Choose a .npy file for “%s”"), name);
      return FALSE;
    }
  spec->source = source;
  if (shape != NULL)
    {
      g_free (spec->shape);
      spec->shape = lamina_format_dims (rank, dims);
    }
  if (source == LAMINA_INPUT_NPY)
    {
      g_free (spec->path);
      spec->path = g_strdup (path);
    }
  lamina_value_clear (&spec->value);
  inputs_changed (self);
  return TRUE;
}

gboolean
lamina_sim_session_set_input_value (LaminaSimSession *self, const char *name,
                                    const LaminaValue *value, GError **error)
{
  InputSpec *spec;

  g_return_val_if_fail (LAMINA_IS_SIM_SESSION (self), FALSE);
  spec = g_hash_table_lookup (self->inputs, name);
  if (spec == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("The model has no input “%s”"), name);
      return FALSE;
    }
  if (!check_idle (self, error))
    return FALSE;
  lamina_value_clear (&spec->value);
  if (!lamina_value_copy (&spec->value, value, error))
    return FALSE;
  spec->source = LAMINA_INPUT_VALUE;
  g_free (spec->shape);
  spec->shape = lamina_format_dims (value->rank, value->dims);
  inputs_changed (self);
  return TRUE;
}

LaminaInputSource
lamina_sim_session_get_input (LaminaSimSession *self, const char *name, char **shape, char **path)
{
  InputSpec *spec;

  g_return_val_if_fail (LAMINA_IS_SIM_SESSION (self), LAMINA_INPUT_ZEROS);
  spec = g_hash_table_lookup (self->inputs, name);
  if (shape)
    *shape = spec ? g_strdup (spec->shape) : NULL;
  if (path)
    *path = spec ? g_strdup (spec->path) : NULL;
  return spec ? spec->source : LAMINA_INPUT_ZEROS;
}

void
lamina_sim_session_set_seed (LaminaSimSession *self, guint32 seed)
{
  g_return_if_fail (LAMINA_IS_SIM_SESSION (self));
  self->seed = seed;
  self->inputs_dirty = TRUE;
}

/* ---- queries ---------------------------------------------------------------------------- */

LaminaDocument *
lamina_sim_session_get_document (LaminaSimSession *self)
{
  g_return_val_if_fail (LAMINA_IS_SIM_SESSION (self), NULL);
  return self->document;
}

LaminaGraph *
lamina_sim_session_get_graph (LaminaSimSession *self)
{
  g_return_val_if_fail (LAMINA_IS_SIM_SESSION (self), NULL);
  return self->graph;
}

GPtrArray *
lamina_sim_session_get_unsupported (LaminaSimSession *self)
{
  g_return_val_if_fail (LAMINA_IS_SIM_SESSION (self), NULL);
  return self->unsupported;
}

gboolean
lamina_sim_session_is_unsupported (LaminaSimSession *self, const LaminaNode *node)
{
  g_return_val_if_fail (LAMINA_IS_SIM_SESSION (self), FALSE);
  return g_hash_table_contains (self->unsupported_set, node);
}

gboolean
lamina_sim_session_is_running (LaminaSimSession *self)
{
  g_return_val_if_fail (LAMINA_IS_SIM_SESSION (self), FALSE);
  return self->running;
}

guint
lamina_sim_session_get_n_steps (LaminaSimSession *self)
{
  g_return_val_if_fail (LAMINA_IS_SIM_SESSION (self), 0);
  return self->schedule->len;
}

guint
lamina_sim_session_get_position (LaminaSimSession *self)
{
  g_return_val_if_fail (LAMINA_IS_SIM_SESSION (self), 0);
  return self->position;
}

gboolean
lamina_sim_session_prepare (LaminaSimSession *self, GError **error)
{
  g_return_val_if_fail (LAMINA_IS_SIM_SESSION (self), FALSE);
  if (self->running)
    return TRUE;
  return ensure_sim (self, error);
}

const LaminaNode *
lamina_sim_session_get_step_node (LaminaSimSession *self, guint i)
{
  g_return_val_if_fail (LAMINA_IS_SIM_SESSION (self), NULL);
  return i < self->schedule->len ? g_ptr_array_index (self->schedule, i) : NULL;
}

const LaminaNode *
lamina_sim_session_get_next_node (LaminaSimSession *self)
{
  g_return_val_if_fail (LAMINA_IS_SIM_SESSION (self), NULL);
  if (self->position >= self->schedule->len)
    return NULL;
  return g_ptr_array_index (self->schedule, self->position);
}

double
lamina_sim_session_get_node_ms (LaminaSimSession *self, const LaminaNode *node)
{
  guint step;

  g_return_val_if_fail (LAMINA_IS_SIM_SESSION (self), -1);
  step = GPOINTER_TO_UINT (g_hash_table_lookup (self->step_of, node));
  return step == 0 ? -1 : g_array_index (self->ms, double, step - 1);
}

gboolean
lamina_sim_session_is_finished (LaminaSimSession *self)
{
  g_return_val_if_fail (LAMINA_IS_SIM_SESSION (self), FALSE);
  return self->schedule->len > 0 && self->position >= self->schedule->len;
}

gboolean
lamina_sim_session_copy_value (LaminaSimSession *self, const LaminaTensor *t, LaminaValue *out)
{
  const LaminaValue *v = NULL;
  LaminaValue constant = { 0 };
  gboolean ok;

  g_return_val_if_fail (LAMINA_IS_SIM_SESSION (self), FALSE);
  memset (out, 0, sizeof *out);
  if (self->running || t == NULL)
    return FALSE;
  if (self->sim != NULL)
    v = lamina_sim_get_value (self->sim, t);
  if (v != NULL)
    return lamina_value_copy (out, v, NULL);
  /* weights are readable before anything was planned (or when nothing can be) */
  if (t->data == NULL || !lamina_value_from_constant (&constant, t, NULL))
    return FALSE;
  ok = lamina_value_copy (out, &constant, NULL);
  lamina_value_clear (&constant);
  return ok;
}

/* ---- GObject ------------------------------------------------------------------------------ */

static void
lamina_sim_session_dispose (GObject *object)
{
  LaminaSimSession *self = LAMINA_SIM_SESSION (object);

  /* a running task holds a reference: dispose only comes after it ended */
  g_clear_handle_id (&self->done_idle, g_source_remove);
  g_clear_pointer (&self->sim, lamina_sim_free);
  G_OBJECT_CLASS (lamina_sim_session_parent_class)->dispose (object);
}

static void
lamina_sim_session_finalize (GObject *object)
{
  LaminaSimSession *self = LAMINA_SIM_SESSION (object);

  g_clear_pointer (&self->unsupported, g_ptr_array_unref);
  g_clear_pointer (&self->unsupported_set, g_hash_table_unref);
  g_hash_table_unref (self->inputs);
  g_ptr_array_unref (self->schedule);
  g_hash_table_unref (self->step_of);
  g_array_unref (self->ms);
  g_array_unref (self->done);
  g_mutex_clear (&self->lock);
  /* last: the graph and the sim's constants belong to the document */
  g_clear_object (&self->document);
  G_OBJECT_CLASS (lamina_sim_session_parent_class)->finalize (object);
}

static void
lamina_sim_session_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LaminaSimSession *self = LAMINA_SIM_SESSION (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    case PROP_POSITION:
      g_value_set_uint (value, self->position);
      break;
    case PROP_N_STEPS:
      g_value_set_uint (value, self->schedule->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lamina_sim_session_class_init (LaminaSimSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = lamina_sim_session_dispose;
  object_class->finalize = lamina_sim_session_finalize;
  object_class->get_property = lamina_sim_session_get_property;

  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE, ro);
  properties[PROP_POSITION] = g_param_spec_uint ("position", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_N_STEPS] = g_param_spec_uint ("n-steps", NULL, NULL, 0, G_MAXUINT, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* nodes have run (or the times were cleared): redraw */
  signals[PROGRESS] = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* a command ended; the argument is an error message, NULL on success or cancel */
  signals[STOPPED] = g_signal_new ("stopped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
lamina_sim_session_init (LaminaSimSession *self)
{
  g_mutex_init (&self->lock);
  self->done = g_array_new (FALSE, FALSE, sizeof (Done));
  self->inputs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) input_spec_free);
  self->schedule = g_ptr_array_new ();
  self->step_of = g_hash_table_new (NULL, NULL);
  self->ms = g_array_new (FALSE, FALSE, sizeof (double));
  self->seed = 1;
}

LaminaSimSession *
lamina_sim_session_new (LaminaDocument *document)
{
  LaminaSimSession *self;

  g_return_val_if_fail (LAMINA_IS_DOCUMENT (document), NULL);
  self = g_object_new (LAMINA_TYPE_SIM_SESSION, NULL);
  self->document = g_object_ref (document);
  self->graph = lamina_document_get_model (document)->graph;
  self->unsupported = lamina_sim_unsupported_nodes (self->graph);
  self->unsupported_set = g_hash_table_new (NULL, NULL);
  for (guint i = 0; i < self->unsupported->len; i++)
    g_hash_table_add (self->unsupported_set, g_ptr_array_index (self->unsupported, i));
  add_default_inputs (self);
  /* the observer runs in the worker: see on_node_done */
  return self;
}
