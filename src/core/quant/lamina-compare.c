/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-compare.c: float vs fixed on one image (see lamina-compare.h).
 *
 * Each model runs in chunks of about a twentieth of its schedule
 * (lamina_sim_run_to) so that progress can be reported; an observer would
 * do it per node but turns the simulator's fusions off, and the results
 * must be those of `lamina-cli compare`.
 */
#define G_LOG_DOMAIN "lamina-quant"

#include <math.h>
#include <glib/gi18n.h>
#include "quant/lamina-compare.h"
#include "sim/lamina-sim-input.h"

#define PROGRESS_CHUNKS 20

void
lamina_compare_free (LaminaCompare *c)
{
  if (c == NULL)
    return;
  g_clear_pointer (&c->dets, lamina_detection_match_free);
  g_clear_pointer (&c->left_out, g_ptr_array_unref);
  g_clear_pointer (&c->layers, g_array_unref);
  /* the pairs borrow the models' tensors, the simulators keep them */
  g_clear_pointer (&c->match, lamina_match_free);
  g_clear_pointer (&c->fixed, lamina_pipeline_free);
  g_clear_pointer (&c->flt, lamina_pipeline_free);
  g_free (c);
}

static LaminaPipeline *
pipeline_for (LaminaModel *model, LaminaPreset *preset, int threads, GError **error)
{
  LaminaPipeline *p = lamina_pipeline_new (model, preset, threads, error);

  if (p == NULL)
    g_prefix_error (error, "%s: ", model->path ? model->path : "");
  return p;
}

LaminaCompare *
lamina_compare_new (LaminaModel *flt, LaminaPreset *flt_preset, LaminaModel *fixed, LaminaPreset *fixed_preset,
                    int threads, GError **error)
{
  g_autoptr(LaminaCompare) c = g_new0 (LaminaCompare, 1);

  c->flt = pipeline_for (flt, flt_preset, threads, error);
  if (c->flt == NULL)
    {
      lamina_preset_free (fixed_preset);
      return NULL;
    }
  c->fixed = pipeline_for (fixed, fixed_preset, threads, error);
  if (c->fixed == NULL || (c->match = lamina_match_tensors (flt, fixed, error)) == NULL)
    return NULL;
  for (guint i = 0; i < c->match->pairs->len; i++)
    {
      const LaminaMatchPair *p = &g_array_index (c->match->pairs, LaminaMatchPair, i);
      lamina_sim_keep (c->flt->sim, p->flt, TRUE);
      lamina_sim_keep (c->fixed->sim, p->fixed, TRUE);
    }
  c->layers = g_array_new (FALSE, FALSE, sizeof (LaminaCompareLayer));
  c->left_out = g_ptr_array_new_with_free_func (g_free);
  return g_steal_pointer (&c);
}

/* ---- running ------------------------------------------------------------------ */

typedef struct {
  LaminaCompareProgress fn;
  gpointer              data;
  double                from, span;   /* this run's share of the whole */
} Progress;

static void
on_cancelled (GCancellable *cancellable, gpointer sim)
{
  lamina_sim_cancel (sim);
}

/* Runs p's simulator to the end in chunks; a cancel stops it within a node. */
static gboolean
run_pipeline (LaminaPipeline *p, const Progress *progress, GCancellable *cancellable, GError **error)
{
  guint n = lamina_sim_n_steps (p->sim), chunk = MAX (n / PROGRESS_CHUNKS, 1);
  gulong handler = cancellable ? g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled), p->sim, NULL) : 0;
  gboolean ok = TRUE;

  for (guint done = 0; ok && done < n;)
    {
      done = MIN (done + chunk, n);
      /* a cancel between two chunks reaches no run: check it here */
      ok = !g_cancellable_set_error_if_cancelled (cancellable, error) &&
           lamina_sim_run_to (p->sim, lamina_sim_step_node (p->sim, done - 1), error);
      if (ok && progress->fn)
        progress->fn (progress->from + progress->span * done / n, progress->data);
    }
  if (cancellable)
    g_cancellable_disconnect (cancellable, handler);
  return ok && lamina_sim_run (p->sim, error);
}

/* Metrics of every pair; a pair whose values cannot be compared (shapes
 * that differ only at run time) is left out with the reason. */
static void
measure_layers (LaminaCompare *c)
{
  g_array_set_size (c->layers, 0);
  g_ptr_array_set_size (c->left_out, 0);
  for (guint i = 0; i < c->match->pairs->len; i++)
    {
      const LaminaMatchPair *p = &g_array_index (c->match->pairs, LaminaMatchPair, i);
      const LaminaValue *f, *x;
      g_autoptr(GError) error = NULL;
      LaminaCompareLayer layer = { p };
      LaminaMetricsAcc acc;

      lamina_metrics_acc_init (&acc);
      if (!lamina_compare_get_values (c, p, &f, &x))
        g_set_error (&error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", _("not computed"));
      else
        lamina_metrics_add (&acc, f, x, p->quant, &error);
      if (error != NULL)
        {
          g_ptr_array_add (c->left_out, g_strdup_printf (_("“%s” vs “%s” left out: %s"), p->flt->name,
                                                         p->fixed->name, error->message));
          continue;
        }
      lamina_metrics_compute (&acc, &layer.metrics);
      g_array_append_val (c->layers, layer);
    }
}

static gboolean
run_one (LaminaPipeline *p, const LaminaImage *image, const Progress *progress,
         GCancellable *cancellable, GError **error)
{
  if (lamina_pipeline_set_image (p, image, error) && run_pipeline (p, progress, cancellable, error))
    return TRUE;
  if (!g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_prefix_error (error, "%s: ", p->model->path ? p->model->path : "");
  return FALSE;
}

gboolean
lamina_compare_run (LaminaCompare *c, const LaminaImage *image, LaminaCompareProgress progress,
                    gpointer progress_data, GCancellable *cancellable, GError **error)
{
  GError *local = NULL;
  Progress pf = { progress, progress_data, 0, 0.5 }, px = { progress, progress_data, 0.5, 0.5 };

  g_clear_pointer (&c->dets, lamina_detection_match_free);
  if (!run_one (c->flt, image, &pf, cancellable, &local) || !run_one (c->fixed, image, &px, cancellable, &local))
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  measure_layers (c);
  return lamina_compare_decode (c, NULL, NULL, error);
}

gboolean
lamina_compare_decode (LaminaCompare *c, const LaminaPostprocessConfig *flt_post,
                       const LaminaPostprocessConfig *fixed_post, GError **error)
{
  g_clear_pointer (&c->dets, lamina_detection_match_free);
  if (!lamina_pipeline_decode (c->flt, flt_post, error) || !lamina_pipeline_decode (c->fixed, fixed_post, error))
    return FALSE;
  if (c->flt->dets != NULL && c->fixed->dets != NULL)
    c->dets = lamina_detections_match (c->flt->dets, c->fixed->dets, LAMINA_COMPARE_MIN_IOU);
  return TRUE;
}

/* ---- queries ---------------------------------------------------------------------- */

const LaminaCompareLayer *
lamina_compare_find_layer (const LaminaCompare *c, const char *name)
{
  for (guint i = 0; name != NULL && i < c->layers->len; i++)
    {
      const LaminaCompareLayer *l = &g_array_index (c->layers, LaminaCompareLayer, i);
      if (g_strcmp0 (l->pair->flt->name, name) == 0 || g_strcmp0 (l->pair->fixed->name, name) == 0)
        return l;
    }
  return NULL;
}

gboolean
lamina_compare_has_error_map (const LaminaCompare *c, const LaminaMatchPair *pair)
{
  const LaminaValue *f, *x, *in = &c->flt->value;
  int hd = lamina_pipeline_is_nhwc (c->flt) ? 1 : 2;
  double h, w, in_h, in_w;

  if (!lamina_compare_get_values (c, pair, &f, &x) || f->rank != 4 || f->dims[0] != 1 || in->rank != 4)
    return FALSE;
  h = (double) f->dims[hd], w = (double) f->dims[hd + 1];
  in_h = (double) in->dims[hd], in_w = (double) in->dims[hd + 1];
  /* strides of 8 on a 352 × 352 input: 44 × 44; odd sizes round either way */
  return h >= 2 && w >= 2 && h <= in_h && w <= in_w && fabs ((in_h / h) / (in_w / w) - 1) <= 0.25;
}

const LaminaCompareLayer *
lamina_compare_worst_layer (const LaminaCompare *c)
{
  const LaminaCompareLayer *worst = NULL;

  for (guint i = 0; i < c->layers->len; i++)
    {
      const LaminaCompareLayer *l = &g_array_index (c->layers, LaminaCompareLayer, i);
      if (!lamina_compare_has_error_map (c, l->pair) || isnan (l->metrics.sqnr_db))
        continue;
      if (worst == NULL || l->metrics.sqnr_db < worst->metrics.sqnr_db)
        worst = l;
    }
  return worst;
}

gboolean
lamina_compare_get_values (const LaminaCompare *c, const LaminaMatchPair *pair, const LaminaValue **flt,
                           const LaminaValue **fixed)
{
  *flt = lamina_sim_get_value (c->flt->sim, pair->flt);
  *fixed = lamina_sim_get_value (c->fixed->sim, pair->fixed);
  return *flt != NULL && *fixed != NULL;
}

LaminaErrorMap *
lamina_compare_error_map (const LaminaCompare *c, const LaminaMatchPair *pair, int channel, GError **error)
{
  const LaminaValue *f, *x;

  if (!lamina_compare_get_values (c, pair, &f, &x))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", pair->flt->name, _("not computed"));
      return NULL;
    }
  if (!lamina_compare_has_error_map (c, pair))
    {
      g_autofree char *dims = lamina_format_dims (f->rank, f->dims);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("%s (%s) is not a feature map of the image: no error map"), pair->flt->name, dims);
      return NULL;
    }
  return lamina_error_map_new (f, x, pair->quant, lamina_pipeline_is_nhwc (c->flt), channel, error);
}
