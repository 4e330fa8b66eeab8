/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-image.h: a plain RGB8 image (the input of preprocessing and the
 * canvas of annotated exports), loaded from PNG or JPEG files or memory.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define LAMINA_IMAGE_ERROR (lamina_image_error_quark ())
GQuark lamina_image_error_quark (void);

typedef enum {
  LAMINA_IMAGE_ERROR_FORMAT,       /* neither PNG nor JPEG */
  LAMINA_IMAGE_ERROR_CORRUPT,      /* truncated or damaged data */
  LAMINA_IMAGE_ERROR_UNSUPPORTED,  /* e.g. CMYK JPEG */
  LAMINA_IMAGE_ERROR_TOO_LARGE,    /* above LAMINA_IMAGE_MAX_SIDE / _MAX_PIXELS */
  LAMINA_IMAGE_ERROR_IO,           /* could not read or write the file */
} LaminaImageError;

#define LAMINA_IMAGE_MAX_SIDE   16384
#define LAMINA_IMAGE_MAX_PIXELS (100 * 1000 * 1000)

typedef struct {
  int     width, height;
  gsize   stride;     /* bytes per row, >= 3 * width */
  guint8 *data;       /* R,G,B bytes, row by row */
} LaminaImage;

/* A black image; NULL + error when a side is < 1 or the size is absurd. */
LaminaImage *lamina_image_new (int width, int height, GError **error);
void         lamina_image_free (LaminaImage *image);
LaminaImage *lamina_image_copy (const LaminaImage *image);

/* Loads PNG or JPEG (by content, not by name) the way cv2.imread(path,
 * IMREAD_COLOR) does, so inputs match the reference pipelines: alpha is
 * DROPPED (not composited), grey and palette become RGB, 16-bit samples keep
 * their high byte, JPEG EXIF orientation (1-8) is applied. Errors name the file. */
LaminaImage *lamina_image_load (const char *path, GError **error);
/* Same from memory (drag and drop, paste); `name` is used in messages. */
LaminaImage *lamina_image_load_from_data (const guint8 *data, gsize length,
                                          const char *name, GError **error);
/* Writes an 8-bit RGB PNG atomically (temporary file + rename). */
gboolean     lamina_image_save_png (const LaminaImage *image, const char *path,
                                    GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LaminaImage, lamina_image_free)

G_END_DECLS
