/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lamina-load"

#include "lamina-model-load.h"
#include "onnx/lamina-onnx.h"
#include "tflite/lamina-tflite.h"

G_DEFINE_QUARK (lamina-load-error-quark, lamina_load_error)

LaminaFormat
lamina_detect_format (const guint8 *data, gsize size)
{
  if (lamina_tflite_sniff (data, size))
    return LAMINA_FORMAT_TFLITE;
  if (lamina_onnx_sniff (data, size))
    return LAMINA_FORMAT_ONNX;
  return LAMINA_FORMAT_UNKNOWN;
}

LaminaModel *
lamina_model_load_bytes (GBytes *bytes, const char *path, GError **error)
{
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  g_autofree char *base = g_path_get_basename (path ? path : "(memory)");
  LaminaModel *model = NULL;

  switch (lamina_detect_format (data, size))
    {
    case LAMINA_FORMAT_TFLITE:
      model = lamina_tflite_load (bytes, path, error);
      break;
    case LAMINA_FORMAT_ONNX:
      model = lamina_onnx_load (bytes, path, error);
      break;
    case LAMINA_FORMAT_OFFLINE:
    case LAMINA_FORMAT_UNKNOWN:
    default:
      g_set_error (error, LAMINA_LOAD_ERROR, LAMINA_LOAD_ERROR_UNKNOWN_FORMAT,
                   "%s: not a model file Lamina can read (expected ONNX or TFLite)", base);
      return NULL;
    }
  if (model != NULL)
    model->kind = lamina_model_detect_kind (model);
  return model;
}

LaminaModel *
lamina_model_load (const char *path, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *base = g_path_get_basename (path);
  g_autoptr(GMappedFile) mapped = g_mapped_file_new (path, FALSE, &local);

  if (mapped == NULL)
    {
      g_set_error (error, LAMINA_LOAD_ERROR, LAMINA_LOAD_ERROR_IO,
                   "%s: cannot read the file: %s", base, local->message);
      return NULL;
    }
  g_autoptr(GBytes) bytes = g_mapped_file_get_bytes (mapped);
  return lamina_model_load_bytes (bytes, path, error);
}
