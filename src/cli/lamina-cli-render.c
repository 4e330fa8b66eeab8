/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-cli render MODEL -o OUT.{svg,png,pdf}: the same drawing as the
 * window's graph canvas (shared layout and cairo renderer).
 */
#define G_LOG_DOMAIN "lamina-cli"

#include <glib/gi18n.h>
#include "lamina-cli.h"
#include "layout/lamina-layout.h"
#include "render/lamina-render.h"

int
lamina_cli_render (int argc, char **argv)
{
  g_autofree char *output = NULL;
  int graph_index = 0;
  gboolean timings = FALSE;
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Write the drawing to FILE (.svg, .png or .pdf)"), N_("FILE") },
    { "graph", 0, 0, G_OPTION_ARG_INT, &graph_index, N_("Draw top-level graph N (TFLite subgraphs; default 0)"), "N" },
    { "timings", 0, 0, G_OPTION_ARG_NONE, &timings, N_("Print load, layout and drawing times in ms on stderr"), NULL },
    { NULL }
  };
  g_autoptr(LaminaModel) model = NULL;
  g_autoptr(LaminaLayout) layout = NULL;
  g_autoptr(GError) error = NULL;
  LaminaLayoutOptions options;
  gint64 t0 = g_get_monotonic_time (), t1, t2, t3;

  if (!lamina_cli_parse (&argc, &argv, "render", "MODEL -o OUT.svg|OUT.png|OUT.pdf", entries))
    return 2;
  if (argc != 2 || output == NULL)
    return lamina_cli_fail ("render", "%s", _("expected one MODEL and -o OUTPUT"));
  model = lamina_cli_load_model ("render", argv[1]);
  if (model == NULL)
    return 1;
  t1 = g_get_monotonic_time ();
  if (graph_index < 0 || (guint) graph_index >= model->graphs->len)
    return lamina_cli_fail ("render", _("%s: no graph %d (the model has %u)"),
                            argv[1], graph_index, model->graphs->len);

  lamina_render_layout_options (&options);
  layout = lamina_layout_compute (g_ptr_array_index (model->graphs, graph_index),
                                  &options, NULL, NULL, NULL, &error);
  t2 = g_get_monotonic_time ();
  if (layout == NULL || !lamina_render_export (layout, output, &error))
    return lamina_cli_fail ("render", "%s: %s", argv[1], error->message);
  t3 = g_get_monotonic_time ();
  if (timings)
    g_printerr (_("load %.1f ms, layout %.1f ms, drawing %.1f ms (%u boxes, %u edges)\n"),
                (t1 - t0) / 1e3, (t2 - t1) / 1e3, (t3 - t2) / 1e3, layout->boxes->len, layout->edges->len);
  return 0;
}
