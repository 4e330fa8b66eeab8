/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-cli suggest MODEL --calib DIR [--calib FILE ...] --image IMG [--image ...]
 *                    [--top K] [--apply N] [-o FIXED.onnx]
 *                    [--method minmax|percentile|entropy] [--preset P]
 *                    [--threads N] [--json]
 *
 * "What to do" after quantizing (quant/lamina-suggest.h): calibrates MODEL
 * once, quantizes it as `quantize` would (the preset's [QUANTIZE] rules
 * included), then measures on the --image inputs (images, .npy files or
 * folders of them; SQNR pooled over all) how much the final output's SQNR gains
 * when each of the K layers with the worst SQNR (default 8) alone is
 * promoted to int16 and when it alone is kept float (both measured; the
 * better is suggested), best first. --apply N re-quantizes with the N best
 * promoted and prints before/after; -o writes that model. --json prints
 *
 *   {"base_sqnr_db":..,"suggestions":[{"layer":"..","precision":"int16"|"float",
 *     "layer_sqnr_db":..,"sqnr_db":..,"gain_db":..,"int16_sqnr_db":..|null,
 *     "float_sqnr_db":..}],
 *    "applied":{"n":N,"before_db":..,"after_db":..}}       (with --apply)
 */
#define G_LOG_DOMAIN "lamina-cli"

#include <math.h>
#include <stdio.h>
#include <glib/gi18n.h>
#include "lamina-cli.h"
#include "lamina-json.h"
#include "onnx/lamina-onnx-write.h"
#include "quant/lamina-suggest.h"
#include "sim/lamina-npy.h"
#include "vision/lamina-image.h"
#include "vision/lamina-preprocess.h"
#include "vision/lamina-preset.h"

typedef struct {
  char     **calib, **images;
  char      *method, *preset, *output;
  int        top, apply, threads;
  gboolean   as_json;
} SuggestOptions;

/* What one run holds; freed by run_clear. */
typedef struct {
  LaminaModel         *model, *applied;
  LaminaCalibration   *calib;
  LaminaSuggestResult *result;
  GStrv                keep_float, int16;
  LaminaValue         *x;          /* n_x evaluation inputs, preprocessed */
  guint                n_x;
  double               before, after;
} Run;

static void
run_clear (Run *r)
{
  for (guint i = 0; i < r->n_x; i++)
    lamina_value_clear (&r->x[i]);
  g_clear_pointer (&r->x, g_free);
  g_clear_pointer (&r->keep_float, g_strfreev);
  g_clear_pointer (&r->int16, g_strfreev);
  g_clear_pointer (&r->result, lamina_suggest_result_free);
  g_clear_pointer (&r->calib, lamina_calibration_free);
  g_clear_pointer (&r->applied, lamina_model_free);
  g_clear_pointer (&r->model, lamina_model_free);
}

static void
on_calib (guint done, guint total, const char *current, gpointer data)
{
  if (current != NULL)
    fprintf (stderr, _("calibrating %u/%u: %s\n"), done + 1, total, current);
}

static void
on_suggest (guint done, guint total, const char *layer, gpointer data)
{
  if (layer != NULL)
    fprintf (stderr, _("measuring %u/%u: %s\n"), done + 1, total, layer);
}

/* One evaluation input: an image preprocessed by the preset, or a .npy
 * as it is (the kinds --calib takes). */
static gboolean
load_input (const char *path, const LaminaPreset *preset, const LaminaTensor *input, LaminaValue *x,
            GError **error)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);
  g_autoptr(LaminaImage) image = NULL;

  if (g_str_has_suffix (lower, ".npy"))
    return lamina_npy_read (path, x, error);
  image = lamina_image_load (path, error);
  return image != NULL && lamina_preprocess_image (image, &preset->pre, input, x, NULL, error);
}

/* The preset (named or found) preprocesses the images and gives its
 * [QUANTIZE] rules, as for `quantize`. */
static gboolean
prepare (Run *r, const char *model_path, const SuggestOptions *o, GError **error)
{
  g_autoptr(LaminaPreset) preset = NULL;
  g_autoptr(GPtrArray) paths = NULL;

  preset = o->preset ? lamina_preset_find_by_name (o->preset, model_path, NULL, error)
                     : lamina_preset_find (model_path, r->model->graph, NULL, error);
  if (preset == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s",
                     _("no preset applies to this model; name one with --preset"));
      return FALSE;
    }
  if (preset->path != NULL &&
      !lamina_quantize_preset_rules (preset->path, &r->keep_float, &r->int16, error))
    return FALSE;
  if (r->model->graph->inputs->len != 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("layer suggestions need a model with exactly one input (this one has %u)"),
                   r->model->graph->inputs->len);
      return FALSE;
    }
  if ((paths = lamina_calibration_list_inputs ((const char *const *) o->images, error)) == NULL)
    return FALSE;
  r->x = g_new0 (LaminaValue, paths->len);
  for (; r->n_x < paths->len; r->n_x++)
    if (!load_input (g_ptr_array_index (paths, r->n_x), preset, g_ptr_array_index (r->model->graph->inputs, 0),
                     &r->x[r->n_x], error))
      {
        g_prefix_error (error, "%s: ", (const char *) g_ptr_array_index (paths, r->n_x));
        r->n_x++;   /* cleared by run_clear */
        return FALSE;
      }
  return TRUE;
}

static gboolean
suggest (Run *r, const char *model_path, const SuggestOptions *o, GError **error)
{
  g_autoptr(GPtrArray) inputs = NULL;
  LaminaCalibOptions co = { o->threads, o->preset, 0, on_calib, NULL };
  LaminaQuantizeOptions qo = { LAMINA_CALIB_MINMAX, 0, 8, NULL, NULL };
  LaminaSuggestOptions so = { (guint) o->top, o->threads, on_suggest, NULL };
  g_autofree const LaminaValue **eval = NULL;

  if (o->method && !lamina_calib_method_from_name (o->method, &qo.method))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("unknown --method “%s” (minmax, percentile or entropy)"), o->method);
      return FALSE;
    }
  if ((r->model = lamina_model_load (model_path, error)) == NULL ||
      !prepare (r, model_path, o, error) ||
      (inputs = lamina_calibration_list_inputs ((const char *const *) o->calib, error)) == NULL ||
      (r->calib = lamina_calibrate (r->model, model_path, inputs, &co, NULL, error)) == NULL)
    return FALSE;
  qo.keep_float = (const char *const *) r->keep_float;
  qo.int16 = (const char *const *) r->int16;
  eval = g_new0 (const LaminaValue *, r->n_x);
  for (guint i = 0; i < r->n_x; i++)
    eval[i] = &r->x[i];
  r->result = lamina_suggest (r->model, r->calib, &qo, eval, r->n_x, &so, NULL, error);
  if (r->result == NULL || o->apply == 0)
    return r->result != NULL;
  r->applied = lamina_suggest_apply (r->model, r->calib, &qo, r->result, (guint) o->apply, eval, r->n_x,
                                     o->threads, &r->before, &r->after, NULL, error);
  return r->applied != NULL && (o->output == NULL || lamina_onnx_write (r->applied, o->output, error));
}

/* ---- printing ------------------------------------------------------------------ */

static const char *
precision_name (LaminaPrecision p)
{
  return p == LAMINA_PRECISION_INT16 ? "int16" : "float";
}

static void
json_number (LaminaJson *json, const char *key, double value)
{
  lamina_json_key (json, key);
  lamina_json_double (json, value);
}

static void
print_json (const Run *r, const SuggestOptions *o)
{
  g_autoptr(LaminaJson) json = lamina_json_new ();
  g_autofree char *text = NULL;

  lamina_json_begin_object (json);
  json_number (json, "base_sqnr_db", r->result->base_sqnr_db);
  lamina_json_key (json, "suggestions");
  lamina_json_begin_array (json);
  for (guint j = 0; j < r->result->suggestions->len; j++)
    {
      const LaminaSuggestion *s = &g_array_index (r->result->suggestions, LaminaSuggestion, j);
      lamina_json_begin_object (json);
      lamina_json_key (json, "layer");
      lamina_json_string (json, s->layer);
      lamina_json_key (json, "precision");
      lamina_json_string (json, precision_name (s->precision));
      json_number (json, "layer_sqnr_db", s->layer_sqnr_db);
      json_number (json, "sqnr_db", s->sqnr_db);
      json_number (json, "gain_db", s->sqnr_db - r->result->base_sqnr_db);
      json_number (json, "int16_sqnr_db", s->int16_sqnr_db);
      json_number (json, "float_sqnr_db", s->float_sqnr_db);
      lamina_json_end_object (json);
    }
  lamina_json_end_array (json);
  if (r->applied != NULL)
    {
      lamina_json_key (json, "applied");
      lamina_json_begin_object (json);
      json_number (json, "n", MIN ((guint) o->apply, r->result->suggestions->len));
      json_number (json, "before_db", r->before);
      json_number (json, "after_db", r->after);
      lamina_json_end_object (json);
    }
  lamina_json_end_object (json);
  text = lamina_json_finish (g_steal_pointer (&json));
  printf ("%s\n", text);
}

static void
print_text (const Run *r, const SuggestOptions *o)
{
  printf (_("final output SQNR of the base quantization: %.3f dB\n"), r->result->base_sqnr_db);
  printf ("%10s %10s %7s %10s %10s %10s  %s\n", _("output dB"), _("gain dB"), _("as"), _("int16 dB"),
          _("float dB"), _("layer dB"), _("layer"));
  for (guint j = 0; j < r->result->suggestions->len; j++)
    {
      const LaminaSuggestion *s = &g_array_index (r->result->suggestions, LaminaSuggestion, j);
      g_autofree char *int16 = isnan (s->int16_sqnr_db) ? g_strdup ("-") : g_strdup_printf ("%.3f", s->int16_sqnr_db);
      printf ("%10.3f %+10.3f %7s %10s %10.3f %10.3f  %s\n", s->sqnr_db, s->sqnr_db - r->result->base_sqnr_db,
              precision_name (s->precision), int16, s->float_sqnr_db, s->layer_sqnr_db, s->layer);
    }
  if (r->applied != NULL)
    printf (_("with the best %u promoted: %.3f dB → %.3f dB\n"),
            MIN ((guint) o->apply, r->result->suggestions->len), r->before, r->after);
  if (r->applied != NULL && o->output != NULL)
    printf (_("wrote %s\n"), o->output);
}

static int
check_and_run (int argc, char **argv, const SuggestOptions *o)
{
  g_autoptr(GError) error = NULL;
  Run r = { 0 };
  int status = 0;

  if (argc != 2)
    return lamina_cli_fail ("suggest", "%s", _("expected one MODEL file"));
  if (o->calib == NULL)
    return lamina_cli_fail ("suggest", "%s", _("--calib is required (a folder of images or .npy files)"));
  if (o->images == NULL)
    return lamina_cli_fail ("suggest", "%s", _("--image is required"));
  if (o->top < 1 || o->apply < 0 || o->threads < 0)
    return lamina_cli_fail ("suggest", "%s", _("--top must be 1 or more, --apply and --threads 0 or more"));
  if (o->output != NULL && o->apply == 0)
    return lamina_cli_fail ("suggest", "%s", _("-o needs --apply N"));
  if (suggest (&r, argv[1], o, &error))
    (o->as_json ? print_json : print_text) (&r, o);
  else
    status = lamina_cli_fail ("suggest", "%s", error->message);
  run_clear (&r);
  return status;
}

int
lamina_cli_suggest (int argc, char **argv)
{
  SuggestOptions o = { .top = LAMINA_SUGGEST_DEFAULT_CANDIDATES };
  const GOptionEntry entries[] = {
    { "calib", 'c', 0, G_OPTION_ARG_FILENAME_ARRAY, &o.calib, N_("Calibration images or .npy files, or a folder of them (repeatable)"), N_("DIR") },
    { "image", 'i', 0, G_OPTION_ARG_FILENAME_ARRAY, &o.images, N_("An image (or .npy, or a folder of them) the output is measured on (repeatable; the figures pool all)"), N_("IMG") },
    { "top", 'k', 0, G_OPTION_ARG_INT, &o.top, N_("Measure the K layers with the worst SQNR (default 8)"), "K" },
    { "apply", 'a', 0, G_OPTION_ARG_INT, &o.apply, N_("Re-quantize with the N best suggestions promoted and show before/after"), "N" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &o.output, N_("Write the model of --apply (QDQ ONNX)"), N_("FIXED.onnx") },
    { "method", 'm', 0, G_OPTION_ARG_STRING, &o.method, N_("Calibration method: minmax, percentile or entropy (default minmax)"), N_("METHOD") },
    { "preset", 'p', 0, G_OPTION_ARG_FILENAME, &o.preset, N_("Preset name or .ini file (default: found from the model)"), N_("PRESET") },
    { "threads", 't', 0, G_OPTION_ARG_INT, &o.threads, N_("Worker threads (default: all cores)"), "N" },
    { "json", 'j', 0, G_OPTION_ARG_NONE, &o.as_json, N_("Print one JSON object"), NULL },
    { NULL }
  };
  int status;

  if (!lamina_cli_parse (&argc, &argv, "suggest", "MODEL", entries))
    status = 2;
  else
    status = check_and_run (argc, argv, &o);
  g_strfreev (o.calib);
  g_strfreev (o.images);
  g_free (o.method);
  g_free (o.preset);
  g_free (o.output);
  return status;
}
