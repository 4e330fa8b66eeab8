/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-sim-input.h: making input values for the simulator: zeros or
 * seeded random values of a shape, shapes written as "1x3x640x640", the
 * default size of a declared input (dynamic dimensions guessed), and .npy
 * data converted to the declared float type. Shared by the window and the
 * CLI.
 */
#pragma once

#include <gio/gio.h>
#include "ops/lamina-value.h"

G_BEGIN_DECLS

typedef enum {
  LAMINA_FILL_ZEROS,
  LAMINA_FILL_RANDOM,   /* uniform [0, 1) for floats, 0…9 for integers, 0/1 for bool */
} LaminaFill;

/* Allocates v (shape already set) and fills it; rand is used for
 * LAMINA_FILL_RANDOM. */
gboolean lamina_value_fill (LaminaValue *v, LaminaFill fill, GRand *rand, GError **error);

/* "1x3x640x640" or "1,3,640,640" (up to LAMINA_MAX_RANK dims; "" is a scalar). */
gboolean lamina_parse_dims (const char *text, int *rank, gint64 *dims, GError **error);
/* "1x3x640x640" ("" for a scalar). */
char    *lamina_format_dims (int rank, const gint64 *dims);

/* A size for input t: its static dims, with dynamic ones guessed (1 for
 * the first, else `fallback`); FALSE when even the rank is unknown. */
gboolean lamina_input_default_dims (const LaminaTensor *t, gint64 fallback, int *rank, gint64 *dims);

/* float64 and float16 data (NumPy's default, half files) feed float32
 * inputs: converts v in place when declared is float32; other dtypes are
 * left alone. */
gboolean lamina_value_convert_to_declared (LaminaValue *v, LaminaDType declared, GError **error);

G_END_DECLS
