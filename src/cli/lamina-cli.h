/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-cli.h: the subcommands of lamina-cli. Each lives in its own
 * lamina-cli-<name>.c and is listed in the table in lamina-cli.c.
 * A command returns the process exit status; errors go to stderr.
 */
#pragma once

#include <glib.h>
#include "lamina-model-load.h"

G_BEGIN_DECLS

typedef int (*LaminaCliCommandFunc) (int argc, char **argv);

int lamina_cli_bench  (int argc, char **argv);
int lamina_cli_compare (int argc, char **argv);
int lamina_cli_detect (int argc, char **argv);
int lamina_cli_info   (int argc, char **argv);
int lamina_cli_quantize (int argc, char **argv);
int lamina_cli_render (int argc, char **argv);
int lamina_cli_run    (int argc, char **argv);
int lamina_cli_suggest (int argc, char **argv);

/* Parses argv with the given entries; prints the error and returns FALSE on
 * failure. `usage` is the parameter string ("MODEL -o OUT.svg"). */
gboolean lamina_cli_parse (int *argc, char ***argv, const char *command,
                           const char *usage, const GOptionEntry *entries);
/* Prints "lamina-cli COMMAND: message" on stderr and returns 1. */
int      lamina_cli_fail (const char *command, const char *format, ...) G_GNUC_PRINTF (2, 3);
/* Loads a model or prints why not (the message names the file). */
LaminaModel *lamina_cli_load_model (const char *command, const char *path);

G_END_DECLS
