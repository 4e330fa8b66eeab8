/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-pipeline.c: model + preset + simulator (see lamina-pipeline.h).
 */
#define G_LOG_DOMAIN "lamina-pipeline"

#include <string.h>
#include <glib/gi18n.h>
#include "vision/lamina-pipeline.h"

const LaminaTensor *
lamina_pipeline_image_input (LaminaGraph *graph, const LaminaPreset *preset, GError **error)
{
  for (guint i = 0; preset && preset->input_name && i < graph->inputs->len; i++)
    {
      const LaminaTensor *t = g_ptr_array_index (graph->inputs, i);
      if (strcmp (t->name, preset->input_name) == 0)
        return t;
    }
  if (graph->inputs->len == 1)
    return g_ptr_array_index (graph->inputs, 0);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               _("The model has %u inputs and the preset names none of them in [INPUT_CONFIG] inputs="),
               graph->inputs->len);
  return NULL;
}

/* Accelerator-only operators (Edge TPU blobs ...) can never run here: say so
 * plainly instead of "no kernel". */
static gboolean
check_simulable (LaminaGraph *graph, GError **error)
{
  g_autoptr(GPtrArray) missing = lamina_sim_unsupported_nodes (graph);

  for (guint i = 0; i < missing->len; i++)
    {
      const LaminaNode *n = g_ptr_array_index (missing, i);
      if (n->is_custom)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       _("cannot simulate: custom operator %s (node “%s”) runs only on the accelerator it was compiled for"),
                       n->op_type, n->name);
          return FALSE;
        }
    }
  return TRUE;
}

LaminaPipeline *
lamina_pipeline_new (LaminaModel *model, LaminaPreset *preset, int threads, GError **error)
{
  g_autoptr(LaminaPipeline) p = g_new0 (LaminaPipeline, 1);
  LaminaSimOptions options = { .threads = threads };

  p->model = model;
  p->preset = preset;
  p->input = lamina_pipeline_image_input (model->graph, preset, error);
  if (p->input == NULL || !check_simulable (model->graph, error))
    return NULL;
  p->sim = lamina_sim_new (model, model->graph, &options, error);
  return p->sim ? g_steal_pointer (&p) : NULL;
}

void
lamina_pipeline_free (LaminaPipeline *p)
{
  if (p == NULL)
    return;
  g_clear_pointer (&p->dets, lamina_detections_free);
  g_clear_pointer (&p->sim, lamina_sim_free);
  lamina_value_clear (&p->value);
  g_clear_pointer (&p->preset, lamina_preset_free);
  g_free (p);
}

gboolean
lamina_pipeline_set_image (LaminaPipeline *p, const LaminaImage *image, GError **error)
{
  LaminaPreprocessConfig defaults;

  lamina_preprocess_config_init (&defaults);
  lamina_value_clear (&p->value);
  memset (&p->value, 0, sizeof p->value);
  g_clear_pointer (&p->dets, lamina_detections_free);
  return lamina_preprocess_image (image, p->preset ? &p->preset->pre : &defaults, p->input, &p->value,
                                  &p->transform, error) &&
         lamina_sim_set_input (p->sim, p->input->name, &p->value, error);
}

gboolean
lamina_pipeline_can_decode (const LaminaPipeline *p)
{
  return p->preset != NULL && p->preset->post.decoder != LAMINA_DECODER_NONE;
}

gboolean
lamina_pipeline_decode (LaminaPipeline *p, const LaminaPostprocessConfig *post, GError **error)
{
  LaminaGraph *g = p->model->graph;
  g_autofree const LaminaValue **outputs = g_new0 (const LaminaValue *, MAX (g->outputs->len, 1));

  g_clear_pointer (&p->dets, lamina_detections_free);
  if (!lamina_pipeline_can_decode (p))
    return TRUE;
  for (guint i = 0; i < g->outputs->len; i++)
    {
      const LaminaTensor *t = g_ptr_array_index (g->outputs, i);
      outputs[i] = lamina_sim_get_value (p->sim, t);
      if (outputs[i] == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Output “%s” was not computed"), t->name);
          return FALSE;
        }
    }
  p->dets = lamina_decode (post ? post : &p->preset->post, outputs, g->outputs->len, &p->transform, error);
  return p->dets != NULL;
}

gboolean
lamina_pipeline_is_nhwc (const LaminaPipeline *p)
{
  if (p->preset != NULL && p->preset->pre.layout != LAMINA_DATA_LAYOUT_AUTO)
    return p->preset->pre.layout == LAMINA_DATA_LAYOUT_NHWC;
  return p->value.rank == 4 && !(p->value.dims[1] == 1 || p->value.dims[1] == 3);
}
