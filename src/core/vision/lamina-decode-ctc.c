/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Decoders whose result is not a box in the image: CTC text recognition
 * (PaddleOCR's CTCLabelDecode, greedy) and top-k classification. Their
 * detections carry the whole image as box.
 */
#define G_LOG_DOMAIN "lamina-decode"

#include <math.h>
#include <stdlib.h>
#include <glib/gi18n.h>
#include "lamina-decode-private.h"

#define DEFAULT_TOP_K 5

static void
whole_image (LaminaDetection *d, const LaminaPostprocessConfig *c, const LaminaTransform *tf)
{
  d->x0 = d->y0 = 0;
  d->x1 = tf ? tf->src_width : MAX (c->input_width, 0);
  d->y1 = tf ? tf->src_height : MAX (c->input_height, 0);
}

/* A row already holds probabilities when it sums to 1 without negative
 * values; exported models often end in Softmax, others give logits. */
static gboolean
is_distribution (const float *v, gint64 n)
{
  double sum = 0;

  for (gint64 i = 0; i < n; i++)
    {
      if (v[i] < 0 || v[i] > 1)
        return FALSE;
      sum += v[i];
    }
  return fabs (sum - 1.0) < 1e-3;
}

static void
softmax (const float *in, float *out, gint64 n)
{
  float max_v = -INFINITY;
  double sum = 0;

  for (gint64 i = 0; i < n; i++)
    if (in[i] > max_v)
      max_v = in[i];
  for (gint64 i = 0; i < n; i++)
    {
      out[i] = isnan (in[i]) ? 0 : expf (in[i] - max_v);
      sum += out[i];
    }
  for (gint64 i = 0; i < n; i++)
    out[i] = sum > 0 ? out[i] / sum : 0;
}

/* Probabilities of one row: the row itself, or its softmax in scratch. */
static const float *
row_probs (const LaminaPostprocessConfig *c, const float *row, gint64 n, float *scratch)
{
  gboolean apply = decode_has_key (c, "softmax") ? c->softmax : !is_distribution (row, n);

  if (!apply)
    return row;
  softmax (row, scratch, n);
  return scratch;
}

/* Character of class i: the blank is no character; the others are the keys
 * in order, then a space when append_space is set. */
static const char *
ctc_char (const LaminaPostprocessConfig *c, gint64 i, guint n_keys)
{
  gint64 k = i - (i > c->blank_index);

  if (i == c->blank_index || k < 0)
    return NULL;
  if (k < n_keys)
    return c->labels[k];
  return c->append_space && k == n_keys ? " " : NULL;
}

/* Greedy decoding of one sequence [T,C]: best class per step, repeats
 * collapsed, blanks dropped; the confidence is the mean probability of
 * the kept steps (0 for an empty text), as CTCLabelDecode. */
static void
ctc_sequence (const LaminaPostprocessConfig *c, const float *seq, gint64 steps, gint64 nc,
              float *scratch, GString *text, double *conf)
{
  gint64 prev = -1;
  double sum = 0;
  guint kept = 0, n_keys = decode_n_labels (c);

  for (gint64 t = 0; t < steps; t++)
    {
      const float *p = row_probs (c, seq + t * nc, nc, scratch);
      gint64 best = decode_argmax (p, nc);
      const char *ch = best >= 0 && best != prev ? ctc_char (c, best, n_keys) : NULL;

      if (ch != NULL)
        {
          g_string_append (text, ch);
          sum += p[best];
          kept++;
        }
      prev = best;
    }
  *conf = kept > 0 ? sum / kept : 0;
}

gboolean
decode_ctc (const LaminaPostprocessConfig *c, DecodeTensor *outs, guint n,
            const LaminaTransform *tf, LaminaDetections *dets, GError **error)
{
  DecodeTensor *o = &outs[0];
  gint64 batch, steps, nc;
  guint n_classes = decode_n_labels (c) + 1 + (c->append_space ? 1 : 0);
  g_autofree float *scratch = NULL;

  if (!decode_tensor_view (o, 3))
    return decode_shape_error (error, "ctc", o, "[N,T,C]");
  batch = o->dims[0];
  steps = o->dims[1];
  nc = o->dims[2];
  if (c->labels == NULL)
    return decode_config_error (error, "ctc", _("the preset names no key list (labels)"));
  if (nc > n_classes || c->blank_index < 0 || c->blank_index >= nc)
    {
      g_autofree char *msg = g_strdup_printf (_("the key list gives %u classes, the output has %d"),
                                              n_classes, (int) MIN (nc, G_MAXINT));
      return decode_config_error (error, "ctc", msg);
    }
  scratch = g_new (float, nc);
  for (gint64 b = 0; b < batch; b++)
    {
      g_autoptr (GString) text = g_string_new (NULL);
      LaminaDetection *d;
      double conf;

      ctc_sequence (c, o->data + b * steps * nc, steps, nc, scratch, text, &conf);
      if (decode_has_key (c, "conf_threshold") && !(conf >= c->conf_threshold))
        continue;
      d = lamina_detections_add (dets);
      d->class_id = 0;
      d->score = conf;
      d->text = g_string_free (g_steal_pointer (&text), FALSE);
      whole_image (d, c, tf);
    }
  return TRUE;
}

/* ---- classification ---------------------------------------------------- */

/* [1,C] or [1,C,1,1] logits or probabilities; the top_k classes (5 unless
 * set) from class_offset on, best first. */
gboolean
decode_classify (const LaminaPostprocessConfig *c, DecodeTensor *outs, guint n,
                 const LaminaTransform *tf, LaminaDetections *dets, GError **error)
{
  const DecodeTensor *o = &outs[0];
  gint64 nc = o->dims[0];
  g_autofree float *scratch = NULL;
  const float *p;
  LaminaNmsParams keep = {
    .method = LAMINA_NMS_NONE,
    .score_threshold = decode_has_key (c, "conf_threshold") ? c->conf_threshold : -G_MAXFLOAT,
    .top_k = c->top_k > 0 ? c->top_k : DEFAULT_TOP_K,
  };

  if (o->numel != nc || nc <= c->class_offset || c->class_offset < 0)
    return decode_shape_error (error, "classify", o, "[1,C]");
  scratch = g_new (float, nc);
  p = row_probs (c, o->data, nc, scratch);
  for (gint64 i = c->class_offset; i < nc; i++)
    {
      LaminaDetection *d;

      if (isnan (p[i]))
        continue;
      d = lamina_detections_add (dets);
      d->class_id = (int) i;
      d->score = p[i];
      whole_image (d, c, tf);
    }
  lamina_nms (dets, &keep);
  lamina_detections_set_labels (dets, (const char *const *) c->labels, decode_n_labels (c));
  return TRUE;
}
