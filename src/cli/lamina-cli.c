/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-cli: everything the window shows, headless. The command line is a
 * stable contract (DESIGN.md): scripts and tests depend on it.
 */
#define G_LOG_DOMAIN "lamina-cli"

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>
#include "lamina-cli.h"

typedef struct {
  const char           *name;
  LaminaCliCommandFunc  func;
  const char           *summary;
} Command;

/* Sorted by name. */
static const Command commands[] = {
  { "bench",  lamina_cli_bench,  N_("Time a model in the simulator, per operator type") },
  { "compare", lamina_cli_compare, N_("Compare a float model with its fixed counterpart on images: per-tensor error and both sets of detections") },
  { "detect", lamina_cli_detect, N_("Run a detection model on an image and print or draw the detections") },
  { "info",   lamina_cli_info,   N_("Show a model's format, kind, inputs, outputs and operators") },
  { "quantize", lamina_cli_quantize, N_("Calibrate a float model on images and write it as a fixed (QDQ) ONNX model") },
  { "render", lamina_cli_render, N_("Draw a model's graph to an SVG, PNG or PDF file") },
  { "run",    lamina_cli_run,    N_("Run a model in the simulator and save its outputs as .npy") },
  { "suggest", lamina_cli_suggest, N_("Rank layers by how much promoting each alone to int16 or float improves the quantized output") },
};

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n\n%s\n", _("Usage: lamina-cli COMMAND [OPTIONS...]"), _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-8s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (out, "\n%s\n", _("Run “lamina-cli COMMAND --help” for a command's options."));
}

gboolean
lamina_cli_parse (int *argc, char ***argv, const char *command, const char *usage,
                  const GOptionEntry *entries)
{
  g_autoptr(GOptionContext) context = g_option_context_new (usage);
  g_autoptr(GError) error = NULL;
  g_autofree char *prgname = g_strdup_printf ("lamina-cli %s", command);

  g_set_prgname (prgname);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      lamina_cli_fail (command, "%s", error->message);
      return FALSE;
    }
  return TRUE;
}

int
lamina_cli_fail (const char *command, const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "lamina-cli %s: %s\n", command, message);
  return 1;
}

LaminaModel *
lamina_cli_load_model (const char *command, const char *path)
{
  g_autoptr(GError) error = NULL;
  LaminaModel *model = lamina_model_load (path, &error);

  if (model == NULL)
    lamina_cli_fail (command, "%s", error->message);
  return model;
}

int
main (int argc, char *argv[])
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc < 2 || strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)
    {
      print_usage (argc < 2 ? stderr : stdout);
      return argc < 2 ? 2 : 0;
    }
  if (strcmp (argv[1], "--version") == 0)
    {
      printf ("lamina-cli %s\n", LAMINA_VERSION);
      return 0;
    }
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (argv[1], commands[i].name) == 0)
      return commands[i].func (argc - 1, argv + 1);

  fprintf (stderr, _("lamina-cli: unknown command “%s”\n"), argv[1]);
  print_usage (stderr);
  return 2;
}
