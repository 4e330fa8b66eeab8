/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-npy.h: NumPy .npy files, Lamina's tensor exchange format.
 *
 * Format versions 1.0, 2.0 and 3.0 are read; little-endian, C order, dtypes
 * f2 f4 f8 i1 u1 i2 u2 i4 u4 i8 u8 b1. Files are untrusted: the header is
 * validated strictly (magic, version, a dict with exactly descr,
 * fortran_order and shape, sizes matching the data) and every error names
 * the file. Writing is atomic (a temporary file renamed into place).
 */
#pragma once

#include <gio/gio.h>
#include "ops/lamina-value.h"

G_BEGIN_DECLS

#define LAMINA_NPY_ERROR (lamina_npy_error_quark ())
GQuark lamina_npy_error_quark (void);

typedef enum {
  LAMINA_NPY_ERROR_INVALID,      /* not a .npy file, or a malformed one */
  LAMINA_NPY_ERROR_UNSUPPORTED,  /* valid, but a dtype/order Lamina does not read */
} LaminaNpyError;

/* Parses .npy bytes into v (an owned copy; v is cleared first). `name`
 * (the file name) starts every message. */
gboolean lamina_npy_decode (GBytes *bytes, const char *name, LaminaValue *v, GError **error);
/* Reads a .npy file into v. */
gboolean lamina_npy_read   (const char *path, LaminaValue *v, GError **error);

/* The header (magic … newline) for v's dtype and shape; NULL + error for a
 * dtype .npy cannot hold (bfloat16, strings ...). */
GBytes  *lamina_npy_header (const LaminaValue *v, GError **error);
/* Writes v as a .npy file, atomically. */
gboolean lamina_npy_write  (const char *path, const LaminaValue *v, GError **error);

G_END_DECLS
