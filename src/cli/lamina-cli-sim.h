/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-cli-sim.h: what `run` and `bench` share — filling a simulator's
 * inputs from .npy files, zeros or seeded random values of the model's
 * input shapes (dynamic dimensions from --shape) and file names for
 * tensors. The values themselves are made by sim/lamina-sim-input.h.
 */
#pragma once

#include <glib.h>
#include "sim/lamina-sim.h"

G_BEGIN_DECLS

typedef enum {
  LAMINA_CLI_FILL_NONE,     /* every input needs --input */
  LAMINA_CLI_FILL_ZEROS,
  LAMINA_CLI_FILL_RANDOM,   /* uniform [0, 1) for floats, 0…9 for integers */
} LaminaCliFill;

typedef struct {
  char          **npy;      /* "NAME=FILE.npy" (or "FILE.npy" for a one-input model) */
  char          **shapes;   /* "NAME=1x3x640x640" */
  LaminaCliFill   fill;     /* for inputs without --input */
  guint64         seed;
  const LaminaTensor *preset_input;  /* already set from --image: skipped */
} LaminaCliInputs;

/* Sets every graph input of sim; errors name the input or the file. */
gboolean lamina_cli_set_inputs (LaminaSim *sim, LaminaGraph *graph, const LaminaCliInputs *inputs,
                                GError **error);

/* A file name for a tensor: characters other than letters, digits, '.',
 * '-' and '_' become '_', never "", "." or "..", at most 200 bytes; `used`
 * (a set of names already given out) makes it unique with a "-N" suffix. */
char    *lamina_cli_tensor_file_name (const char *tensor, GHashTable *used);

G_END_DECLS
