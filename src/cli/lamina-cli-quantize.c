/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-cli quantize MODEL --calib DIR [--calib FILE ...]
 *                     [--method minmax|percentile|entropy] [--percentile P]
 *                     [--bits 8|16] [--keep-float NAME,...] [--int16 NAME,...]
 *                     [--preset P] [--threads N] [--max-inputs N] -o FIXED.onnx
 *
 * Calibrates MODEL on the images / .npy files of --calib (preprocessed by
 * the model's preset), quantizes it (lamina-quantize.h) and writes the QDQ
 * ONNX file. NAME rules match tensor names, node names or operator types;
 * the preset's [QUANTIZE] keep_float= / int16= lists are added to them.
 * Progress goes to stderr, a summary to stdout.
 */
#define G_LOG_DOMAIN "lamina-cli"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>
#include "lamina-cli.h"
#include "onnx/lamina-onnx-write.h"
#include "quant/lamina-calibrate.h"
#include "quant/lamina-quantize.h"
#include "vision/lamina-preset.h"

typedef struct {
  char    **calib;
  char     *method, *preset, *output;
  char    **keep_float, **int16;
  double    percentile;
  int       bits, threads, max_inputs;
} QuantizeOptions;

static void
progress (guint done, guint total, const char *current, gpointer data)
{
  if (current != NULL)
    fprintf (stderr, _("calibrating %u/%u: %s\n"), done + 1, total, current);
}

/* "a,b" given once or several times → one rule list, plus the preset's. */
static GStrv
merge_rules (char **given, GStrv from_preset)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  for (guint i = 0; given && given[i]; i++)
    {
      g_auto(GStrv) parts = g_strsplit (given[i], ",", -1);
      for (guint k = 0; parts[k]; k++)
        if (g_strstrip (parts[k])[0] != '\0')
          g_strv_builder_add (b, parts[k]);
    }
  for (guint i = 0; from_preset && from_preset[i]; i++)
    g_strv_builder_add (b, from_preset[i]);
  return g_strv_builder_end (b);
}

/* The preset's [QUANTIZE] lists; none when no preset applies. */
static gboolean
preset_rules (const char *model_path, LaminaModel *model, const char *name, GStrv *keep_float,
              GStrv *int16, GError **error)
{
  g_autoptr(LaminaPreset) preset = name ? lamina_preset_find_by_name (name, model_path, NULL, error)
                                        : lamina_preset_find (model_path, model->graph, NULL, error);

  if (preset == NULL)
    return error == NULL || *error == NULL;
  return preset->path == NULL || lamina_quantize_preset_rules (preset->path, keep_float, int16, error);
}

static void
print_summary (const LaminaCalibration *calib, const LaminaQuantizeStats *s, const char *output)
{
  GPtrArray *warnings = lamina_calibration_warnings (calib);

  for (guint i = 0; i < warnings->len; i++)
    fprintf (stderr, _("lamina-cli quantize: warning: %s\n"), (const char *) g_ptr_array_index (warnings, i));
  printf (_("calibrated on %u inputs (%u skipped)\n"), lamina_calibration_n_used (calib),
          lamina_calibration_n_skipped (calib));
  printf (_("BatchNormalization folded: %u; activations int8: %u, int16: %u, kept float: %u, fused: %u, not seen by calibration: %u\n"),
          s->n_bn_folded, s->n_int8, s->n_int16, s->n_float, s->n_fused, s->n_unobserved);
  printf (_("weights per channel int8: %u; biases int32: %u\n"), s->n_weights, s->n_biases);
  printf (_("wrote %s\n"), output);
}

static gboolean
quantize (const char *model_path, const QuantizeOptions *o, GError **error)
{
  g_autoptr(LaminaModel) model = lamina_model_load (model_path, error);
  g_autoptr(LaminaModel) fixed = NULL;
  g_autoptr(LaminaCalibration) calib = NULL;
  g_autoptr(GPtrArray) inputs = NULL;
  g_auto(GStrv) preset_float = NULL, preset_int16 = NULL, keep_float = NULL, int16 = NULL;
  LaminaCalibOptions co = { o->threads, o->preset, (guint) o->max_inputs, progress, NULL };
  LaminaQuantizeOptions qo = { LAMINA_CALIB_MINMAX, o->percentile, o->bits, NULL, NULL };
  LaminaQuantizeStats stats;

  if (model == NULL)
    return FALSE;
  if (o->method && !lamina_calib_method_from_name (o->method, &qo.method))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("unknown --method “%s” (minmax, percentile or entropy)"), o->method);
      return FALSE;
    }
  if (!preset_rules (model_path, model, o->preset, &preset_float, &preset_int16, error) ||
      (inputs = lamina_calibration_list_inputs ((const char *const *) o->calib, error)) == NULL ||
      (calib = lamina_calibrate (model, model_path, inputs, &co, NULL, error)) == NULL)
    return FALSE;
  keep_float = merge_rules (o->keep_float, preset_float);
  int16 = merge_rules (o->int16, preset_int16);
  qo.keep_float = (const char *const *) keep_float;
  qo.int16 = (const char *const *) int16;
  fixed = lamina_quantize (model, calib, &qo, &stats, error);
  if (fixed == NULL || !lamina_onnx_write (fixed, o->output, error))
    return FALSE;
  print_summary (calib, &stats, o->output);
  return TRUE;
}

static int
check_and_run (int argc, char **argv, const QuantizeOptions *o)
{
  g_autoptr(GError) error = NULL;

  if (argc != 2)
    return lamina_cli_fail ("quantize", "%s", _("expected one MODEL file"));
  if (o->calib == NULL)
    return lamina_cli_fail ("quantize", "%s", _("--calib is required (a folder of images or .npy files)"));
  if (o->output == NULL)
    return lamina_cli_fail ("quantize", "%s", _("-o FIXED.onnx is required"));
  if (o->bits != 8 && o->bits != 16)
    return lamina_cli_fail ("quantize", "%s", _("--bits must be 8 or 16"));
  if (o->threads < 0 || o->max_inputs < 0)
    return lamina_cli_fail ("quantize", "%s", _("--threads and --max-inputs must be 0 or more"));
  if (o->percentile <= 0 || o->percentile > 100)
    return lamina_cli_fail ("quantize", "%s", _("--percentile must be in (0, 100]"));
  if (!quantize (argv[1], o, &error))
    return lamina_cli_fail ("quantize", "%s", error->message);
  return 0;
}

int
lamina_cli_quantize (int argc, char **argv)
{
  QuantizeOptions o = { .bits = 8, .percentile = LAMINA_CALIB_DEFAULT_PERCENTILE };
  const GOptionEntry entries[] = {
    { "calib", 'c', 0, G_OPTION_ARG_FILENAME_ARRAY, &o.calib, N_("Calibration images or .npy files, or a folder of them (repeatable)"), N_("DIR") },
    { "method", 'm', 0, G_OPTION_ARG_STRING, &o.method, N_("Calibration method: minmax, percentile or entropy (default minmax)"), N_("METHOD") },
    { "percentile", 0, 0, G_OPTION_ARG_DOUBLE, &o.percentile, N_("Percentile for --method percentile (default 99.99)"), "P" },
    { "bits", 'b', 0, G_OPTION_ARG_INT, &o.bits, N_("Activation bits: 8 (asymmetric) or 16 (symmetric)"), "8|16" },
    { "keep-float", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.keep_float, N_("Tensors, nodes or operator types to keep float"), N_("NAME,...") },
    { "int16", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.int16, N_("Tensors, nodes or operator types with int16 activations"), N_("NAME,...") },
    { "preset", 'p', 0, G_OPTION_ARG_FILENAME, &o.preset, N_("Preset name or .ini file (default: found from the model)"), N_("PRESET") },
    { "threads", 't', 0, G_OPTION_ARG_INT, &o.threads, N_("Worker threads (default: all cores)"), "N" },
    { "max-inputs", 0, 0, G_OPTION_ARG_INT, &o.max_inputs, N_("Use at most N calibration inputs (default: all)"), "N" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &o.output, N_("The fixed model to write (QDQ ONNX)"), N_("FIXED.onnx") },
    { NULL }
  };
  int status;

  if (!lamina_cli_parse (&argc, &argv, "quantize", "MODEL", entries))
    status = 2;
  else
    status = check_and_run (argc, argv, &o);
  g_strfreev (o.calib);
  g_strfreev (o.keep_float);
  g_strfreev (o.int16);
  g_free (o.method);
  g_free (o.preset);
  g_free (o.output);
  return status;
}
