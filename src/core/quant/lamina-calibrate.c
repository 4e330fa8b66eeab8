/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-calibrate.c: observers (min-max, percentile, entropy) and the
 * calibration run over images or .npy files. See lamina-calibrate.h.
 */
#define G_LOG_DOMAIN "lamina-quant"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>
#include "quant/lamina-calibrate.h"
#include "sim/lamina-npy.h"
#include "sim/lamina-sim.h"
#include "sim/lamina-sim-input.h"
#include "vision/lamina-preset.h"

#define ABS_BINS (LAMINA_CALIB_HIST_BINS / 2)

G_DEFINE_QUARK (lamina-calibrate-error-quark, lamina_calibrate_error)

static const char *const method_names[] = {
  [LAMINA_CALIB_MINMAX] = "minmax",
  [LAMINA_CALIB_PERCENTILE] = "percentile",
  [LAMINA_CALIB_ENTROPY] = "entropy",
};

gboolean
lamina_calib_method_from_name (const char *name, LaminaCalibMethod *method)
{
  for (guint i = 0; name && i < G_N_ELEMENTS (method_names); i++)
    if (strcmp (name, method_names[i]) == 0)
      {
        *method = (LaminaCalibMethod) i;
        return TRUE;
      }
  return FALSE;
}

const char *
lamina_calib_method_name (LaminaCalibMethod method)
{
  return (guint) method < G_N_ELEMENTS (method_names) ? method_names[method] : "?";
}

/* ---- observer ------------------------------------------------------------- */

void
lamina_observer_init (LaminaObserver *o)
{
  memset (o, 0, sizeof *o);
  o->min = INFINITY;
  o->max = -INFINITY;
}

/* Doubles R until it covers absmax: signed bin i of [-R, R] lies inside
 * bin LAMINA_CALIB_HIST_BINS/4 + i/2 of [-2R, 2R], so the merge is exact. */
static void
grow_range (LaminaObserver *o, double absmax)
{
  while (o->range < absmax)
    {
      double merged[LAMINA_CALIB_HIST_BINS] = { 0 };
      for (guint i = 0; i < LAMINA_CALIB_HIST_BINS; i++)
        merged[LAMINA_CALIB_HIST_BINS / 4 + i / 2] += o->hist[i];
      memcpy (o->hist, merged, sizeof merged);
      o->range *= 2;
    }
}

void
lamina_observer_update (LaminaObserver *o, const float *data, gsize n)
{
  double lo = INFINITY, hi = -INFINITY, absmax, scale;

  /* NaN and infinities carry no range information: skipped */
  for (gsize i = 0; i < n; i++)
    if (isfinite (data[i]))
      {
        lo = MIN (lo, data[i]);
        hi = MAX (hi, data[i]);
      }
  if (lo > hi)
    return;
  absmax = MAX (fabs (lo), fabs (hi));
  if (o->count == 0)
    o->range = absmax > 0 ? absmax : 1e-6;
  else
    grow_range (o, absmax);
  o->min = MIN (o->min, lo);
  o->max = MAX (o->max, hi);
  scale = LAMINA_CALIB_HIST_BINS / (2 * o->range);
  for (gsize i = 0; i < n; i++)
    if (isfinite (data[i]))
      {
        gint64 b = (gint64) floor ((data[i] + o->range) * scale);
        o->hist[CLAMP (b, 0, LAMINA_CALIB_HIST_BINS - 1)] += 1;
        o->count++;
      }
}

/* The values below the bottom and above the top (100 - p) % are clipped;
 * bin edges, never beyond what was seen. */
static void
percentile_range (const LaminaObserver *o, double percentile, double *lo, double *hi)
{
  double tail = o->count * (100.0 - CLAMP (percentile, 0.0, 100.0)) / 100.0;
  double width = 2 * o->range / LAMINA_CALIB_HIST_BINS, sum = 0;
  int b;

  for (b = LAMINA_CALIB_HIST_BINS - 1; b > 0; b--)
    if ((sum += o->hist[b]) > tail)
      break;
  *hi = MIN (o->max, -o->range + (b + 1) * width);
  sum = 0;
  for (b = 0; b < LAMINA_CALIB_HIST_BINS - 1; b++)
    if ((sum += o->hist[b]) > tail)
      break;
  *lo = MAX (o->min, -o->range + b * width);
  if (*lo > *hi)
    *lo = *hi = (*lo + *hi) / 2;
}

/* KL(P || Q) of one candidate: P is the |x| histogram cut at i bins with
 * the outliers added to the last bin, Q the first i bins merged into
 * `levels` bins and spread back evenly over the bins that were non-empty. */
static double
kl_divergence (const double *hist, guint i, guint levels, double outliers, double *p, double *q)
{
  double sum_p = 0, sum_q = 0, kl = 0;

  for (guint k = 0; k < i; k++)
    {
      p[k] = hist[k];
      q[k] = 0;
    }
  p[i - 1] += outliers;
  for (guint j = 0; j < levels; j++)
    {
      guint start = (guint) ((guint64) j * i / levels), end = (guint) ((guint64) (j + 1) * i / levels);
      double total = 0;
      guint nonzero = 0;
      for (guint k = start; k < end; k++)
        {
          total += hist[k];
          nonzero += hist[k] != 0;
        }
      for (guint k = start; k < end && nonzero; k++)
        if (hist[k] != 0)
          q[k] = total / nonzero;
    }
  for (guint k = 0; k < i; k++)
    {
      sum_p += p[k];
      sum_q += q[k];
    }
  if (sum_p <= 0 || sum_q <= 0)
    return INFINITY;
  for (guint k = 0; k < i; k++)
    if (p[k] > 0)
      {
        /* a bin Q left empty (only the outlier bin can be): smoothed */
        double pk = p[k] / sum_p, qk = MAX (q[k] / sum_q, 1e-12);
        kl += pk * log (pk / qk);
      }
  return kl;
}

double
lamina_observer_entropy_threshold (const LaminaObserver *o, int bits)
{
  double abs_hist[ABS_BINS], p[ABS_BINS], q[ABS_BINS];
  guint levels = bits >= 16 ? ABS_BINS : 1u << (bits - 1);
  double outliers = 0, best = INFINITY, absmax = MAX (fabs (o->min), fabs (o->max));
  guint best_i = ABS_BINS;

  if (o->count == 0)
    return 0;
  for (guint k = 0; k < ABS_BINS; k++)
    abs_hist[k] = o->hist[ABS_BINS + k] + o->hist[ABS_BINS - 1 - k];
  for (guint k = levels; k < ABS_BINS; k++)
    outliers += abs_hist[k];
  /* TensorRT: every cut from `levels` bins up to the whole histogram */
  for (guint i = levels; i <= ABS_BINS; i++)
    {
      double kl = kl_divergence (abs_hist, i, levels, outliers, p, q);
      if (kl < best)
        {
          best = kl;
          best_i = i;
        }
      if (i < ABS_BINS)
        outliers -= abs_hist[i];
    }
  return MIN (absmax, best_i * o->range / ABS_BINS);
}

gboolean
lamina_observer_range (const LaminaObserver *o, LaminaCalibMethod method, double percentile,
                       int bits, float *lo, float *hi)
{
  double l = o->min, h = o->max, t;

  if (o->count == 0)
    return FALSE;
  switch (method)
    {
    case LAMINA_CALIB_PERCENTILE:
      percentile_range (o, percentile, &l, &h);
      break;
    case LAMINA_CALIB_ENTROPY:
      t = lamina_observer_entropy_threshold (o, bits);
      l = MAX (l, -t);
      h = MIN (h, t);
      break;
    case LAMINA_CALIB_MINMAX:
    default:
      break;
    }
  *lo = (float) l;
  *hi = (float) MAX (l, h);
  return TRUE;
}

/* ---- calibration ------------------------------------------------------------ */

struct _LaminaCalibration {
  GHashTable *observers;   /* char* → LaminaObserver* */
  guint       n_used, n_skipped;
  GPtrArray  *warnings;    /* char* */
};

LaminaCalibration *
lamina_calibration_new (void)
{
  LaminaCalibration *c = g_new0 (LaminaCalibration, 1);

  c->observers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  c->warnings = g_ptr_array_new_with_free_func (g_free);
  return c;
}

void
lamina_calibration_free (LaminaCalibration *c)
{
  if (c == NULL)
    return;
  g_hash_table_unref (c->observers);
  g_ptr_array_unref (c->warnings);
  g_free (c);
}

guint lamina_calibration_n_used (const LaminaCalibration *c) { return c->n_used; }
guint lamina_calibration_n_skipped (const LaminaCalibration *c) { return c->n_skipped; }
GPtrArray *lamina_calibration_warnings (const LaminaCalibration *c) { return c->warnings; }

const LaminaObserver *
lamina_calibration_lookup (const LaminaCalibration *c, const char *tensor)
{
  return g_hash_table_lookup (c->observers, tensor);
}

LaminaObserver *
lamina_calibration_ensure (LaminaCalibration *c, const char *tensor)
{
  LaminaObserver *o = g_hash_table_lookup (c->observers, tensor);

  if (o == NULL)
    {
      o = g_new (LaminaObserver, 1);
      lamina_observer_init (o);
      g_hash_table_insert (c->observers, g_strdup (tensor), o);
    }
  return o;
}

static void
observe_value (LaminaCalibration *c, const char *tensor, const LaminaValue *v)
{
  if (v != NULL && v->dtype == LAMINA_DTYPE_FLOAT32)
    lamina_observer_update (lamina_calibration_ensure (c, tensor), v->data, (gsize) v->numel);
}

static void
observe_node (const LaminaNode *node, const LaminaValue *const *outputs, guint n_outputs,
              double ms, gpointer data)
{
  for (guint i = 0; i < n_outputs && i < node->outputs->len; i++)
    {
      const LaminaTensor *t = g_ptr_array_index (node->outputs, i);
      if (t != NULL)
        observe_value (data, t->name, outputs[i]);
    }
}

/* ---- inputs ----------------------------------------------------------------- */

static gboolean
is_input_file (const char *name)
{
  static const char *const exts[] = { ".jpg", ".jpeg", ".png", ".npy" };
  g_autofree char *lower = g_ascii_strdown (name, -1);

  for (guint i = 0; i < G_N_ELEMENTS (exts); i++)
    if (g_str_has_suffix (lower, exts[i]))
      return TRUE;
  return FALSE;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static gboolean
list_folder (const char *path, GPtrArray *files, GError **error)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, error);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (is_input_file (name))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (files, g_build_filename (path, g_ptr_array_index (names, i), NULL));
  return TRUE;
}

GPtrArray *
lamina_calibration_list_inputs (const char *const *paths, GError **error)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; paths && paths[i]; i++)
    {
      if (g_file_test (paths[i], G_FILE_TEST_IS_DIR))
        {
          if (!list_folder (paths[i], files, error))
            return NULL;
        }
      else if (g_file_test (paths[i], G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (files, g_strdup (paths[i]));
      else
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       _("%s: no such file or folder"), paths[i]);
          return NULL;
        }
    }
  if (files->len == 0)
    {
      g_set_error_literal (error, LAMINA_CALIBRATE_ERROR, LAMINA_CALIBRATE_ERROR_NO_INPUTS,
                           _("no calibration inputs (.jpg, .jpeg, .png or .npy files) were found"));
      return NULL;
    }
  return g_steal_pointer (&files);
}

typedef struct {
  LaminaModel        *model;
  const char         *model_path;
  const LaminaCalibOptions *options;
  LaminaSim          *sim;
  const LaminaTensor *input;
  LaminaPreset       *preset;   /* loaded on the first image */
  LaminaCalibration  *result;
} Run;

static gboolean
load_preset (Run *r, GError **error)
{
  if (r->preset != NULL)
    return TRUE;
  if (r->options->preset != NULL)
    r->preset = lamina_preset_find_by_name (r->options->preset, r->model_path, NULL, error);
  else
    {
      r->preset = lamina_preset_find (r->model_path, r->model->graph, NULL, error);
      if (r->preset == NULL && (error == NULL || *error == NULL))
        g_set_error_literal (error, LAMINA_PRESET_ERROR, LAMINA_PRESET_ERROR_NOT_FOUND,
                             _("images need a preset to be preprocessed, and none matches this model"));
    }
  if (r->preset != NULL)
    for (guint i = 0; r->preset->warnings && i < r->preset->warnings->len; i++)
      g_ptr_array_add (r->result->warnings, g_strdup (g_ptr_array_index (r->preset->warnings, i)));
  return r->preset != NULL;
}

/* The input value from one file: a .npy as it is (float64/float16 data
 * converted), an image through the preset. */
static gboolean
is_npy (const char *path)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);

  return g_str_has_suffix (lower, ".npy");
}

static gboolean
read_input (Run *r, const char *path, LaminaValue *v, GError **error)
{
  g_autoptr(LaminaImage) image = NULL;

  if (is_npy (path))
    return lamina_npy_read (path, v, error) &&
           lamina_value_convert_to_declared (v, r->input->dtype, error);
  image = lamina_image_load (path, error);
  return image != NULL && lamina_preprocess_image (image, &r->preset->pre, r->input, v, NULL, error);
}

/* One input through the graph. FALSE + error only for failures that end the
 * calibration (cancelled, a kernel failing); unusable inputs are skipped. */
static gboolean
run_one (Run *r, const char *path, GError **error)
{
  g_autoptr(GError) local = NULL;
  LaminaValue v = { 0 };

  if (!is_npy (path) && !load_preset (r, error))
    return FALSE;
  if (!read_input (r, path, &v, &local) || !lamina_sim_set_input (r->sim, r->input->name, &v, &local))
    {
      r->result->n_skipped++;
      g_ptr_array_add (r->result->warnings, g_strdup_printf (_("%s: skipped: %s"), path, local->message));
      lamina_value_clear (&v);
      return TRUE;
    }
  observe_value (r->result, r->input->name, &v);
  lamina_value_clear (&v);
  if (!lamina_sim_run (r->sim, error))
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }
  lamina_sim_reset (r->sim);
  r->result->n_used++;
  return TRUE;
}

static void
cancel_sim (GCancellable *cancellable, gpointer sim)
{
  lamina_sim_cancel (sim);
}

static gboolean
run_all (Run *r, const GPtrArray *inputs, GCancellable *cancellable, GError **error)
{
  const LaminaCalibOptions *o = r->options;
  guint total = o->max_inputs ? MIN (o->max_inputs, inputs->len) : inputs->len;
  gulong handler = cancellable ? g_cancellable_connect (cancellable, G_CALLBACK (cancel_sim), r->sim, NULL) : 0;
  gboolean ok = TRUE;

  for (guint i = 0; ok && i < total; i++)
    {
      const char *path = g_ptr_array_index (inputs, i);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        ok = FALSE;
      else
        {
          if (o->progress)
            o->progress (i, total, path, o->progress_data);
          ok = run_one (r, path, error);
        }
    }
  if (cancellable)
    g_cancellable_disconnect (cancellable, handler);
  if (ok && o->progress)
    o->progress (total, total, NULL, o->progress_data);
  return ok;
}

static const LaminaTensor *
single_float_input (const LaminaGraph *g, GError **error)
{
  const LaminaTensor *t;

  if (g->inputs->len != 1)
    {
      g_set_error (error, LAMINA_CALIBRATE_ERROR, LAMINA_CALIBRATE_ERROR_INPUT,
                   _("calibration feeds models with one input; this one has %u"), g->inputs->len);
      return NULL;
    }
  t = g_ptr_array_index (g->inputs, 0);
  if (t->dtype != LAMINA_DTYPE_FLOAT32)
    {
      g_set_error (error, LAMINA_CALIBRATE_ERROR, LAMINA_CALIBRATE_ERROR_INPUT,
                   _("input “%s” is %s; calibration needs a float32 input"), t->name,
                   lamina_dtype_name (t->dtype));
      return NULL;
    }
  return t;
}

LaminaCalibration *
lamina_calibrate (LaminaModel *model, const char *model_path, const GPtrArray *inputs,
                  const LaminaCalibOptions *options, GCancellable *cancellable, GError **error)
{
  static const LaminaCalibOptions defaults = { 0 };
  g_autoptr(LaminaCalibration) result = lamina_calibration_new ();
  g_autoptr(LaminaSim) sim = NULL;
  LaminaSimOptions sim_options = { 0 };
  Run r = { model, model_path, options ? options : &defaults, NULL, NULL, NULL, result };
  gboolean ok;

  sim_options.threads = r.options->threads;
  if ((r.input = single_float_input (model->graph, error)) == NULL)
    return NULL;
  if ((sim = lamina_sim_new (model, model->graph, &sim_options, error)) == NULL)
    return NULL;
  r.sim = sim;
  lamina_sim_set_observer (sim, observe_node, result);
  ok = run_all (&r, inputs, cancellable, error);
  g_clear_pointer (&r.preset, lamina_preset_free);
  if (!ok)
    return NULL;
  if (result->n_used == 0)
    {
      g_set_error (error, LAMINA_CALIBRATE_ERROR, LAMINA_CALIBRATE_ERROR_NO_INPUTS,
                   _("none of the %u calibration inputs could be used (first problem: %s)"),
                   result->n_skipped,
                   result->warnings->len ? (const char *) g_ptr_array_index (result->warnings, result->warnings->len - result->n_skipped) : "?");
      return NULL;
    }
  return g_steal_pointer (&result);
}
