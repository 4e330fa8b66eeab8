/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-suggest.c: rank layers by the measured gain of promoting each
 * alone (see lamina-suggest.h). The float model runs once per input (its
 * outputs are kept as the reference); every candidate is two quantizations
 * (int16, float) and two simulator runs per input.
 */
#define G_LOG_DOMAIN "lamina-quant"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>
#include "quant/lamina-suggest.h"
#include "quant/lamina-match.h"
#include "quant/lamina-metrics.h"
#include "sim/lamina-sim.h"

/* What every measurement shares. */
typedef struct {
  LaminaModel                 *model;
  const LaminaCalibration     *calib;
  const LaminaQuantizeOptions *base;
  const LaminaValue *const    *inputs;
  guint                        n_inputs;
  int                          threads;
  GPtrArray                   *reference;   /* LaminaValue*: float outputs, input-major */
} Suggest;

static void
value_free (gpointer p)
{
  lamina_value_clear (p);
  g_free (p);
}

static void
suggest_clear (Suggest *s)
{
  g_clear_pointer (&s->reference, g_ptr_array_unref);
}

/* A float copy of v that outlives its simulator. */
static LaminaValue *
value_copy (const LaminaValue *v, GError **error)
{
  LaminaValue *c = g_new0 (LaminaValue, 1);

  if (!lamina_value_copy (c, v, error))
    {
      value_free (c);
      return NULL;
    }
  c->quant = NULL;   /* the simulator's parameters die with it */
  return c;
}

static LaminaSim *
sim_for (LaminaModel *model, int threads, GError **error)
{
  LaminaSimOptions o = { threads, NULL, NULL, 0 };

  if (model->graph->inputs->len != 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("layer suggestions need a model with exactly one input (this one has %u)"),
                   model->graph->inputs->len);
      return NULL;
    }
  return lamina_sim_new (model, model->graph, &o, error);
}

static gboolean
sim_run_input (LaminaSim *sim, LaminaModel *model, const LaminaValue *x, GError **error)
{
  const LaminaTensor *in = g_ptr_array_index (model->graph->inputs, 0);

  lamina_sim_reset (sim);
  return lamina_sim_set_input (sim, in->name, x, error) && lamina_sim_run (sim, error);
}

/* Adds the fixed sim's outputs for input i against the reference. */
static gboolean
add_outputs (const Suggest *s, LaminaSim *sim, const LaminaModel *fixed, guint i,
             LaminaMetricsAcc *acc, GError **error)
{
  guint n_out = fixed->graph->outputs->len;

  for (guint k = 0; k < n_out; k++)
    {
      const LaminaTensor *t = g_ptr_array_index (fixed->graph->outputs, k);
      const LaminaValue *x = lamina_sim_get_value (sim, t);
      const LaminaValue *f = g_ptr_array_index (s->reference, i * n_out + k);

      if (x == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("output “%s” was not computed"), t->name);
          return FALSE;
        }
      if (!lamina_metrics_add (acc, f, x, x->quant, error))
        return FALSE;
    }
  return TRUE;
}

/* The final output SQNR of `fixed` over every input. */
static gboolean
measure_output (const Suggest *s, LaminaModel *fixed, GCancellable *cancellable, double *sqnr,
                GError **error)
{
  g_autoptr(LaminaSim) sim = NULL;
  LaminaMetricsAcc acc;
  LaminaMetrics m;

  if (fixed->graph->outputs->len != s->model->graph->outputs->len)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s",
                   _("the quantized model has a different number of outputs"));
      return FALSE;
    }
  if ((sim = sim_for (fixed, s->threads, error)) == NULL)
    return FALSE;
  for (guint k = 0; k < fixed->graph->outputs->len; k++)
    lamina_sim_keep (sim, g_ptr_array_index (fixed->graph->outputs, k), TRUE);
  lamina_metrics_acc_init (&acc);
  for (guint i = 0; i < s->n_inputs; i++)
    if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
        !sim_run_input (sim, fixed, s->inputs[i], error) ||
        !add_outputs (s, sim, fixed, i, &acc, error))
      return FALSE;
  lamina_metrics_compute (&acc, &m);
  *sqnr = m.sqnr_db;
  return TRUE;
}

/* Runs the float model on every input and keeps its outputs. */
static gboolean
make_reference (Suggest *s, GCancellable *cancellable, GError **error)
{
  g_autoptr(LaminaSim) sim = sim_for (s->model, s->threads, error);
  const GPtrArray *outs = s->model->graph->outputs;

  if (sim == NULL)
    return FALSE;
  lamina_sim_keep_all (sim, TRUE);
  s->reference = g_ptr_array_new_with_free_func (value_free);
  for (guint i = 0; i < s->n_inputs; i++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
          !sim_run_input (sim, s->model, s->inputs[i], error))
        return FALSE;
      for (guint k = 0; k < outs->len; k++)
        {
          const LaminaValue *v = lamina_sim_get_value (sim, g_ptr_array_index (outs, k));
          LaminaValue *c = v ? value_copy (v, error) : NULL;
          if (c == NULL)
            {
              if (v == NULL)
                g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", _("the float model computed no output"));
              return FALSE;
            }
          g_ptr_array_add (s->reference, c);
        }
    }
  return TRUE;
}

/* ---- candidates ------------------------------------------------------------ */

typedef struct {
  const LaminaMatchPair *pair;
  LaminaMetricsAcc       acc;
  double                 sqnr_db;
} LayerError;

static gboolean
is_narrow (const LaminaTensor *t)
{
  return t->dtype == LAMINA_DTYPE_INT8 || t->dtype == LAMINA_DTYPE_UINT8;
}

/* Per-layer accumulation of one input: both sims have run it. */
static void
add_layers (GArray *layers, LaminaSim *fsim, LaminaSim *xsim)
{
  for (guint j = 0; j < layers->len; j++)
    {
      LayerError *l = &g_array_index (layers, LayerError, j);
      const LaminaValue *f = lamina_sim_get_value (fsim, l->pair->flt);
      const LaminaValue *x = lamina_sim_get_value (xsim, l->pair->fixed);
      g_autoptr(GError) error = NULL;

      /* a pair that cannot be compared simply ranks last */
      if (f != NULL && x != NULL)
        lamina_metrics_add (&l->acc, f, x, l->pair->quant, &error);
    }
}

static int
by_sqnr_asc (gconstpointer a, gconstpointer b)
{
  double x = ((const LayerError *) a)->sqnr_db, y = ((const LayerError *) b)->sqnr_db;

  return (x > y) - (x < y);
}

/* Every int8 layer of the base fixed graph with its SQNR, worst first;
 * a float tensor quantized in several places appears once. */
static GArray *
rank_layers (const Suggest *s, LaminaModel *fixed, const LaminaMatch *match,
             GCancellable *cancellable, GError **error)
{
  g_autoptr(LaminaSim) fsim = sim_for (s->model, s->threads, error);
  g_autoptr(LaminaSim) xsim = fsim ? sim_for (fixed, s->threads, error) : NULL;
  g_autoptr(GArray) layers = g_array_new (FALSE, TRUE, sizeof (LayerError));
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  if (xsim == NULL)
    return NULL;
  for (guint j = 0; j < match->pairs->len; j++)
    {
      LayerError l = { &g_array_index (match->pairs, LaminaMatchPair, j) };
      if (!is_narrow (l.pair->fixed) || !g_hash_table_add (seen, (gpointer) l.pair->flt->name))
        continue;
      lamina_metrics_acc_init (&l.acc);
      lamina_sim_keep (fsim, l.pair->flt, TRUE);
      lamina_sim_keep (xsim, l.pair->fixed, TRUE);
      g_array_append_val (layers, l);
    }
  for (guint i = 0; i < s->n_inputs; i++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
          !sim_run_input (fsim, s->model, s->inputs[i], error) ||
          !sim_run_input (xsim, fixed, s->inputs[i], error))
        return NULL;
      add_layers (layers, fsim, xsim);
    }
  for (guint j = 0; j < layers->len; j++)
    {
      LayerError *l = &g_array_index (layers, LayerError, j);
      LaminaMetrics m;
      lamina_metrics_compute (&l->acc, &m);
      l->sqnr_db = l->acc.n > 0 ? m.sqnr_db : INFINITY;
    }
  g_array_sort (layers, by_sqnr_asc);
  return g_steal_pointer (&layers);
}

/* ---- quantizing with extra rules --------------------------------------------- */

/* base rules + extra (NULL-terminated, borrowed strings). */
static const char **
rules_plus (const char *const *base, const char *const *extra, guint n_extra)
{
  GPtrArray *r = g_ptr_array_new ();

  for (guint i = 0; base != NULL && base[i] != NULL; i++)
    g_ptr_array_add (r, (gpointer) base[i]);
  for (guint i = 0; i < n_extra; i++)
    g_ptr_array_add (r, (gpointer) extra[i]);
  g_ptr_array_add (r, NULL);
  return (const char **) g_ptr_array_free (r, FALSE);
}

/* base with `names` added to the int16 rules (promote) or keep_float. */
static LaminaModel *
quantize_with (const Suggest *s, const char *const *i16, guint n_i16, const char *const *flt,
               guint n_flt, LaminaQuantizeStats *stats, GError **error)
{
  g_autofree const char **int16 = rules_plus (s->base->int16, i16, n_i16);
  g_autofree const char **keep = rules_plus (s->base->keep_float, flt, n_flt);
  LaminaQuantizeOptions o = *s->base;

  o.int16 = int16;
  o.keep_float = keep;
  return lamina_quantize (s->model, s->calib, &o, stats, error);
}

/* Whether the simulator has a kernel for every node (int16 QDQ uses
 * com.microsoft operators the built-in kernels may lack). */
static gboolean
runnable (LaminaModel *fixed)
{
  g_autoptr(GPtrArray) missing = lamina_sim_unsupported_nodes (fixed->graph);

  return missing == NULL || missing->len == 0;
}

/* The final output SQNR with the layer alone in int16; NAN when that adds
 * no int16 tensor (the quantizer gives the name none) or the result has an
 * operator the simulator cannot run — a figure needs a run. */
static gboolean
measure_int16 (const Suggest *s, const char *name, guint base_int16, GCancellable *cancellable,
               double *sqnr, GError **error)
{
  LaminaQuantizeStats stats;
  g_autoptr(LaminaModel) fixed = quantize_with (s, &name, 1, NULL, 0, &stats, NULL);

  *sqnr = NAN;
  if (fixed == NULL || stats.n_int16 <= base_int16 || !runnable (fixed))
    return TRUE;
  return measure_output (s, fixed, cancellable, sqnr, error);
}

/* The final output SQNR with the layer alone kept float. */
static gboolean
measure_float (const Suggest *s, const char *name, GCancellable *cancellable, double *sqnr,
               GError **error)
{
  LaminaQuantizeStats stats;
  g_autoptr(LaminaModel) fixed = quantize_with (s, NULL, 0, &name, 1, &stats, error);

  return fixed != NULL && measure_output (s, fixed, cancellable, sqnr, error);
}

/* ---- the ranking --------------------------------------------------------------- */

static int
by_output_sqnr_desc (gconstpointer a, gconstpointer b)
{
  double x = ((const LaminaSuggestion *) a)->sqnr_db, y = ((const LaminaSuggestion *) b)->sqnr_db;

  return (x < y) - (x > y);
}

static void
suggestion_clear (gpointer p)
{
  g_free (((LaminaSuggestion *) p)->layer);
}

void
lamina_suggest_result_free (LaminaSuggestResult *r)
{
  if (r == NULL)
    return;
  g_clear_pointer (&r->suggestions, g_array_unref);
  g_free (r);
}

/* Both promotions of one layer measured; the suggestion is the better,
 * int16 on a tie (an NPU keeps an int16 layer, a float one leaves it). */
static gboolean
measure_candidate (const Suggest *s, const LayerError *l, guint base_int16,
                   GCancellable *cancellable, LaminaSuggestion *out, GError **error)
{
  const char *name = l->pair->flt->name;

  if (!measure_int16 (s, name, base_int16, cancellable, &out->int16_sqnr_db, error) ||
      !measure_float (s, name, cancellable, &out->float_sqnr_db, error))
    return FALSE;
  if (!isnan (out->int16_sqnr_db) && !(out->float_sqnr_db > out->int16_sqnr_db))
    out->precision = LAMINA_PRECISION_INT16;
  else
    out->precision = LAMINA_PRECISION_FLOAT;
  out->sqnr_db = out->precision == LAMINA_PRECISION_INT16 ? out->int16_sqnr_db : out->float_sqnr_db;
  out->layer = g_strdup (name);
  out->layer_sqnr_db = l->sqnr_db;
  return TRUE;
}

static gboolean
measure_candidates (const Suggest *s, const GArray *layers, guint base_int16,
                    const LaminaSuggestOptions *o, GCancellable *cancellable,
                    LaminaSuggestResult *r, GError **error)
{
  guint max = o->max_candidates ? o->max_candidates : LAMINA_SUGGEST_DEFAULT_CANDIDATES;
  guint n = MIN (max, layers->len);

  for (guint j = 0; j < n; j++)
    {
      const LayerError *l = &g_array_index (layers, LayerError, j);
      LaminaSuggestion sg = { 0 };
      if (o->progress != NULL)
        o->progress (j, n, l->pair->flt->name, o->progress_data);
      if (!measure_candidate (s, l, base_int16, cancellable, &sg, error))
        {
          g_prefix_error (error, "%s: ", l->pair->flt->name);
          return FALSE;
        }
      g_array_append_val (r->suggestions, sg);
    }
  if (o->progress != NULL)
    o->progress (n, n, NULL, o->progress_data);
  g_array_sort (r->suggestions, by_output_sqnr_desc);
  return TRUE;
}

static gboolean
check_inputs (guint n_inputs, GError **error)
{
  if (n_inputs > 0)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s",
               _("layer suggestions need at least one evaluation input"));
  return FALSE;
}

LaminaSuggestResult *
lamina_suggest (LaminaModel *model, const LaminaCalibration *calib, const LaminaQuantizeOptions *base,
                const LaminaValue *const *inputs, guint n_inputs, const LaminaSuggestOptions *options,
                GCancellable *cancellable, GError **error)
{
  static const LaminaSuggestOptions defaults = { 0 };
  const LaminaSuggestOptions *o = options ? options : &defaults;
  Suggest s = { model, calib, base, inputs, n_inputs, o->threads, NULL };
  g_autoptr(LaminaSuggestResult) r = g_new0 (LaminaSuggestResult, 1);
  g_autoptr(LaminaModel) fixed = NULL;
  g_autoptr(LaminaMatch) match = NULL;
  g_autoptr(GArray) layers = NULL;
  LaminaQuantizeStats stats;
  gboolean ok;

  r->suggestions = g_array_new (FALSE, TRUE, sizeof (LaminaSuggestion));
  g_array_set_clear_func (r->suggestions, suggestion_clear);
  if (!check_inputs (n_inputs, error) ||
      (fixed = quantize_with (&s, NULL, 0, NULL, 0, &stats, error)) == NULL ||
      (match = lamina_match_tensors (model, fixed, error)) == NULL)
    return NULL;
  ok = make_reference (&s, cancellable, error) &&
       measure_output (&s, fixed, cancellable, &r->base_sqnr_db, error) &&
       (layers = rank_layers (&s, fixed, match, cancellable, error)) != NULL &&
       measure_candidates (&s, layers, stats.n_int16, o, cancellable, r, error);
  suggest_clear (&s);
  return ok ? g_steal_pointer (&r) : NULL;
}

/* Splits the top suggestions into int16 and float rules (borrowed names). */
static void
split_top (const LaminaSuggestResult *result, guint top_n, GPtrArray *i16, GPtrArray *flt)
{
  for (guint j = 0; j < MIN (top_n, result->suggestions->len); j++)
    {
      const LaminaSuggestion *sg = &g_array_index (result->suggestions, LaminaSuggestion, j);
      g_ptr_array_add (sg->precision == LAMINA_PRECISION_INT16 ? i16 : flt, sg->layer);
    }
}

LaminaModel *
lamina_suggest_apply (LaminaModel *model, const LaminaCalibration *calib,
                      const LaminaQuantizeOptions *base, const LaminaSuggestResult *result,
                      guint top_n, const LaminaValue *const *inputs, guint n_inputs, int threads,
                      double *before, double *after, GCancellable *cancellable, GError **error)
{
  Suggest s = { model, calib, base, inputs, n_inputs, threads, NULL };
  g_autoptr(GPtrArray) i16 = g_ptr_array_new (), flt = g_ptr_array_new ();
  g_autoptr(LaminaModel) fixed = NULL;
  LaminaQuantizeStats stats;
  double unused;
  gboolean ok;

  split_top (result, top_n, i16, flt);
  if (!check_inputs (n_inputs, error) ||
      (fixed = quantize_with (&s, (const char *const *) i16->pdata, i16->len,
                              (const char *const *) flt->pdata, flt->len, &stats, error)) == NULL
      || g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  if (before != NULL)
    *before = result->base_sqnr_db;
  ok = make_reference (&s, cancellable, error) &&
       measure_output (&s, fixed, cancellable, after ? after : &unused, error);
  suggest_clear (&s);
  return ok ? g_steal_pointer (&fixed) : NULL;
}
