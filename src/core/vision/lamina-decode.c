/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lamina-decode"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>
#include "lamina-decode-private.h"

G_DEFINE_QUARK (lamina-decode-error-quark, lamina_decode_error)

/* Converts any numeric output to float32; quantized integers use their
 * per-tensor scale and zero point (decoders compare scores with float
 * thresholds, so raw int8 codes would be meaningless). */
static gboolean
convert_to_float (DecodeTensor *t, const LaminaValue *v, GError **error)
{
  const LaminaQuant *q = v->quant;
  gboolean dequant = q != NULL && q->n >= 1 && q->scale != NULL && lamina_dtype_is_integer (v->dtype);

  if (dequant && q->n != 1)
    {
      g_set_error (error, LAMINA_DECODE_ERROR, LAMINA_DECODE_ERROR_SHAPE,
                   _("Output %s is quantized per channel; decoders need per-tensor quantization"),
                   t->describe);
      return FALSE;
    }
  if (!lamina_dtype_is_float (v->dtype) && !lamina_dtype_is_integer (v->dtype))
    {
      g_set_error (error, LAMINA_DECODE_ERROR, LAMINA_DECODE_ERROR_SHAPE,
                   _("Output %s is not numeric"), t->describe);
      return FALSE;
    }
  t->owned = g_try_new (float, MAX (v->numel, 1));
  if (t->owned == NULL)
    {
      g_set_error (error, LAMINA_DECODE_ERROR, LAMINA_DECODE_ERROR_SHAPE,
                   _("Output %s is too large"), t->describe);
      return FALSE;
    }
  for (gint64 i = 0; i < v->numel; i++)
    {
      double x = lamina_value_get_double (v, i);

      t->owned[i] = dequant ? (float) ((x - (double) (q->zero_point ? q->zero_point[0] : 0)) * q->scale[0])
                            : (float) x;
    }
  t->data = t->owned;
  return TRUE;
}

gboolean
decode_tensor_init (DecodeTensor *t, const LaminaValue *v, GError **error)
{
  int first = 0;

  memset (t, 0, sizeof *t);
  t->describe = lamina_value_describe (v);
  if (v->data == NULL && v->numel > 0)
    {
      g_set_error (error, LAMINA_DECODE_ERROR, LAMINA_DECODE_ERROR_SHAPE,
                   _("Output %s has no data"), t->describe);
      return FALSE;
    }
  while (first < v->rank - 1 && v->dims[first] == 1)
    first++;
  t->rank = MAX (v->rank - first, 1);
  t->dims[0] = 1;
  for (int i = first; i < v->rank; i++)
    t->dims[i - first] = v->dims[i];
  t->numel = v->numel;
  if (v->dtype == LAMINA_DTYPE_FLOAT32 && v->quant == NULL)
    {
      t->data = v->data;
      return TRUE;
    }
  return convert_to_float (t, v, error);
}

gboolean
decode_tensor_view (DecodeTensor *t, int rank)
{
  int pad = rank - t->rank;

  if (pad < 0 || rank > LAMINA_MAX_RANK)
    return FALSE;
  memmove (t->dims + pad, t->dims, t->rank * sizeof t->dims[0]);
  for (int i = 0; i < pad; i++)
    t->dims[i] = 1;
  t->rank = rank;
  return TRUE;
}

void
decode_tensor_clear (DecodeTensor *t)
{
  g_clear_pointer (&t->owned, g_free);
  g_clear_pointer (&t->describe, g_free);
  t->data = NULL;
}

gboolean
decode_shape_error (GError **error, const char *decoder, const DecodeTensor *t, const char *expected)
{
  g_set_error (error, LAMINA_DECODE_ERROR, LAMINA_DECODE_ERROR_SHAPE,
               /* TRANSLATORS: "yolov5 decoder: output float32[1,10] is not [1,N,5+C]" */
               _("%s decoder: output %s is not %s"), decoder, t ? t->describe : "—", expected);
  return FALSE;
}

gboolean
decode_config_error (GError **error, const char *decoder, const char *what)
{
  g_set_error (error, LAMINA_DECODE_ERROR, LAMINA_DECODE_ERROR_CONFIG,
               /* TRANSLATORS: "blazeface decoder: the preset has no strides" */
               _("%s decoder: %s"), decoder, what);
  return FALSE;
}

gboolean
decode_input_size (const LaminaPostprocessConfig *config, const LaminaTransform *transform,
                   int *width, int *height, GError **error)
{
  if (transform != NULL && transform->dst_width > 0 && transform->dst_height > 0)
    {
      *width = transform->dst_width;
      *height = transform->dst_height;
      return TRUE;
    }
  if (config->input_width > 0 && config->input_height > 0)
    {
      *width = config->input_width;
      *height = config->input_height;
      return TRUE;
    }
  return decode_config_error (error, lamina_decoder_name (config->decoder),
                              _("the model input size is unknown (set input_size)"));
}

LaminaPoint
decode_map_point (const LaminaTransform *transform, double x, double y)
{
  double ix = x, iy = y;

  if (transform != NULL)
    lamina_transform_to_image (transform, x, y, &ix, &iy);
  return (LaminaPoint) { ix, iy };
}

LaminaDetection *
decode_add_box (LaminaDetections *dets, const LaminaTransform *transform, gboolean clip,
                int class_id, float score, double x0, double y0, double x1, double y1)
{
  LaminaPoint a = decode_map_point (transform, MIN (x0, x1), MIN (y0, y1));
  LaminaPoint b = decode_map_point (transform, MAX (x0, x1), MAX (y0, y1));
  LaminaDetection *d;

  if (!isfinite (a.x) || !isfinite (a.y) || !isfinite (b.x) || !isfinite (b.y))
    return NULL;
  if (clip && transform != NULL)
    {
      a.x = CLAMP (a.x, 0, transform->src_width);
      b.x = CLAMP (b.x, 0, transform->src_width);
      a.y = CLAMP (a.y, 0, transform->src_height);
      b.y = CLAMP (b.y, 0, transform->src_height);
    }
  d = lamina_detections_add (dets);
  d->class_id = class_id;
  d->score = score;
  d->x0 = a.x; d->y0 = a.y; d->x1 = b.x; d->y1 = b.y;
  return d;
}

int
decode_argmax (const float *v, gint64 n)
{
  int best = -1;
  float best_v = -INFINITY;

  for (gint64 i = 0; i < n; i++)
    if (v[i] > best_v || (best < 0 && v[i] == best_v))
      {
        best_v = v[i];
        best = (int) i;
      }
  return best;
}

float
decode_sigmoid (float x)
{
  return 1.0f / (1.0f + expf (-x));
}

guint
decode_n_labels (const LaminaPostprocessConfig *config)
{
  return config->labels ? g_strv_length (config->labels) : 0;
}

gboolean
decode_has_key (const LaminaPostprocessConfig *config, const char *key)
{
  return config->params != NULL && g_hash_table_contains (config->params, key);
}

void
decode_finish (LaminaDetections *dets, const LaminaPostprocessConfig *config,
               LaminaNmsMethod method, gboolean class_aware)
{
  LaminaNmsParams nms = {
    .method = method,
    .iou_threshold = config->iou_threshold,
    .score_threshold = -G_MAXFLOAT,   /* the decoders applied their thresholds */
    .class_agnostic = !class_aware,
    .top_k = MAX (config->top_k, 0),
  };

  if (config->max_candidates > 0 && dets->len > (guint) config->max_candidates)
    {
      lamina_detections_sort (dets);
      lamina_detections_truncate (dets, config->max_candidates);
    }
  lamina_nms (dets, &nms);
  lamina_detections_set_labels (dets, (const char *const *) config->labels, decode_n_labels (config));
}

typedef gboolean (*DecodeFunc) (const LaminaPostprocessConfig *c, DecodeTensor *outs, guint n,
                                const LaminaTransform *t, LaminaDetections *dets, GError **error);

static DecodeFunc
decoder_func (LaminaDecoderKind kind)
{
  switch (kind)
    {
    case LAMINA_DECODER_YOLOV5:         return decode_yolov5;
    case LAMINA_DECODER_YOLO_FASTESTV2: return decode_yolo_fastestv2;
    case LAMINA_DECODER_ULTRAFACE:      return decode_ultraface;
    case LAMINA_DECODER_BLAZEFACE:      return decode_blazeface;
    case LAMINA_DECODER_DBNET:          return decode_dbnet;
    case LAMINA_DECODER_CTC:            return decode_ctc;
    case LAMINA_DECODER_CLASSIFY:       return decode_classify;
    case LAMINA_DECODER_NONE:
    default:                            return NULL;
    }
}

LaminaDetections *
lamina_decode (const LaminaPostprocessConfig *config, const LaminaValue *const *outputs,
               guint n_outputs, const LaminaTransform *transform, GError **error)
{
  g_autoptr (LaminaDetections) dets = lamina_detections_new ();
  g_autofree DecodeTensor *outs = g_new0 (DecodeTensor, MAX (n_outputs, 1));
  DecodeFunc func = decoder_func (config->decoder);
  gboolean ok = TRUE;
  guint converted = 0;

  if (func == NULL)
    {
      g_set_error (error, LAMINA_DECODE_ERROR, LAMINA_DECODE_ERROR_CONFIG,
                   _("The preset names no known decoder"));
      return NULL;
    }
  if (transform != NULL && (transform->scale_x <= 0 || transform->scale_y <= 0))
    {
      g_set_error (error, LAMINA_DECODE_ERROR, LAMINA_DECODE_ERROR_CONFIG,
                   _("The input transform has no scale"));
      return NULL;
    }
  for (; ok && converted < n_outputs; converted++)
    ok = outputs[converted] != NULL && decode_tensor_init (&outs[converted], outputs[converted], error);
  if (ok && n_outputs == 0)
    {
      g_set_error (error, LAMINA_DECODE_ERROR, LAMINA_DECODE_ERROR_SHAPE, _("The model has no outputs"));
      ok = FALSE;
    }
  if (ok)
    ok = func (config, outs, n_outputs, transform, dets, error);
  for (guint i = 0; i < converted; i++)
    decode_tensor_clear (&outs[i]);
  if (!ok && error != NULL && *error == NULL)
    g_set_error (error, LAMINA_DECODE_ERROR, LAMINA_DECODE_ERROR_SHAPE, _("An output is missing"));
  return ok ? g_steal_pointer (&dets) : NULL;
}
