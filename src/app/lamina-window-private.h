/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-window-private.h: what the files of the window share. The window
 * is LaminaWindow (lamina-window.c: pages, opening, graph, simulator and
 * tensor page); lamina-window-image.c wires the Image page (image input,
 * Open Image, paste, export, thresholds) into it, lamina-window-compare.c
 * the Compare page (the float/fixed pair and its session).
 */
#pragma once

#include "lamina-window.h"
#include "lamina-compare-page.h"
#include "lamina-image-page.h"
#include "lamina-metrics-table.h"
#include "lamina-minimap.h"
#include "lamina-suggest-panel.h"

G_BEGIN_DECLS

/* What lamina_window_compare_suggest still has to do. */
typedef enum {
  SUGGEST_AUTO_NONE,
  SUGGEST_AUTO_MEASURE,
  SUGGEST_AUTO_MEASURE_APPLY,
  SUGGEST_AUTO_APPLYING,
} LaminaSuggestAuto;

struct _LaminaWindow
{
  AdwApplicationWindow parent_instance;

  /* template */
  AdwToastOverlay     *toast_overlay;
  AdwWindowTitle      *window_title;
  GtkStack            *stack;
  AdwPreferencesGroup *recent_group;
  GtkListBox          *recent_list;
  AdwPreferencesGroup *samples_group;
  GtkListBox          *samples_list;
  GtkDropDown         *graph_selector;
  GtkSpinner          *loading_spinner;
  GtkLabel            *loading_label;
  GtkToggleButton     *search_button;
  GtkWidget           *zoom_box;
  GtkLabel            *zoom_label;
  GtkSearchBar        *search_bar;
  GtkSearchEntry      *search_entry;
  GtkRevealer         *results_revealer;
  GtkLabel            *results_label;
  GtkListBox          *results_list;
  LaminaGraphView     *graph_view;
  GtkProgressBar      *progress_bar;
  GtkGrid             *legend;
  LaminaMinimap       *minimap;
  LaminaNodePanel     *node_panel;
  GtkWidget           *sim_box;
  GtkMenuButton       *sim_menu_button;
  GtkBox              *sim_settings;
  GtkLabel            *sim_label;
  GtkStack            *side_stack;
  LaminaTensorView    *tensor_view;
  GtkSpinButton       *threads_spin;
  GtkStack            *content_stack;  /* "graph" | "image" | "compare" */
  GtkWidget           *page_switcher;
  LaminaImagePage     *image_page;
  LaminaComparePage   *compare_page;

  LaminaSimSession    *session;
  GArray              *marks;         /* LaminaBoxMark per box of the scene */
  const LaminaTensor  *shown_tensor;  /* of the tensor page */
  gboolean             debug_pending; /* lamina_window_run_steps in progress */
  guint                sim_redraw;    /* timeout showing the progress of a run */
  char                *debug_tensor;
  gboolean             image_run_pending; /* run once the session has stopped */
  LaminaCompareSession *compare_session;
  LaminaDocument      *compare_partner;     /* paired once the window's model has opened */
  GCancellable        *compare_cancellable; /* a partner loading */
  LaminaImage         *compare_image;       /* runs once the partner has loaded */
  char                *compare_image_path;  /* of the image compared (or waiting), NULL when pasted */
  LaminaMetricsTable  *metrics_table;       /* the Compare page's "Layers" */
  LaminaSuggestPanel  *suggest_panel;       /* the Compare page's "What to do" */
  gboolean             compare_syncing;     /* table → graph selection: no echo back */
  gboolean             calib_defaulted;     /* the panel's calibration was set for this pair */
  LaminaSuggestAuto    suggest_auto;        /* lamina_window_compare_suggest in progress */
  guint                suggest_idle;        /* its next step */

  LaminaDocument      *document;
  GCancellable        *open_cancellable;
  GtkNativeDialog     *dialog;
  guint                progress_timeout;
  guint                zoom_idle;
  GPtrArray           *graphs;  /* LaminaGraph* of the document, parallel to graph_selector */
};

/* lamina-window.c */
void           lamina_window_toast             (LaminaWindow *self, const char *message, guint timeout);
GtkFileFilter *lamina_window_file_filter       (const char *name, const char *const *patterns);
/* Where a save dialog's chosen local file goes. */
typedef void (*LaminaWindowSaveFunc) (LaminaWindow *self, const char *path);
/* A modal save dialog (title, accept label, suggested name, a NULL-terminated
 * list of filters, taken); `save` gets the chosen local path. */
void           lamina_window_choose_save_path  (LaminaWindow *self, const char *title, const char *accept,
                                                const char *suggested, LaminaWindowSaveFunc save,
                                                GtkFileFilter *first_filter, ...) G_GNUC_NULL_TERMINATED;
/* Plans the graph when needed; errors become a toast. */
gboolean       lamina_window_prepare_sim       (LaminaWindow *self);
void           lamina_window_fill_sim_settings (LaminaWindow *self);
/* Shows the tensor page's tensor again (new values), if it is shown. */
void           lamina_window_refresh_tensor    (LaminaWindow *self);

/* lamina-window-image.c */
void           lamina_window_image_class_init   (GtkWidgetClass *widget_class);
void           lamina_window_image_init         (LaminaWindow *self);
void           lamina_window_image_set_document (LaminaWindow *self, LaminaDocument *document);
/* PNG or JPEG, by name. */
gboolean       lamina_window_image_is_file      (GFile *file);
/* The session stopped / started or stopped running. */
void           lamina_window_image_sim_stopped  (LaminaWindow *self);
void           lamina_window_image_sim_running  (LaminaWindow *self);
/* The page in view ("graph" or "image") changed. */
void           lamina_window_image_page_changed (LaminaWindow *self);
gboolean       lamina_window_image_is_settled   (LaminaWindow *self);

/* lamina-window-compare.c */
void           lamina_window_compare_class_init   (GtkWidgetClass *widget_class);
void           lamina_window_compare_init         (LaminaWindow *self);
void           lamina_window_compare_dispose      (LaminaWindow *self);
/* The window's model changed: the pair is dropped (or made with a partner
 * set before it opened). */
void           lamina_window_compare_set_document (LaminaWindow *self, LaminaDocument *document);
gboolean       lamina_window_compare_is_settled   (LaminaWindow *self);
/* The Compare page is in view. */
gboolean       lamina_window_compare_is_shown     (LaminaWindow *self);
/* Runs both models on image (taken; waits for a partner still loading)
 * and shows the Compare page. path: the image's file (NULL when pasted),
 * the What to do page's evaluation image. */
gboolean       lamina_window_compare_set_image    (LaminaWindow *self, LaminaImage *image, const char *path,
                                                   GError **error);
/* Shows t in the tensor view as a float/fixed pair (overlaid histograms)
 * when it belongs to a pair of the last comparison; FALSE otherwise. */
gboolean       lamina_window_compare_show_tensor  (LaminaWindow *self, const LaminaTensor *t);

G_END_DECLS
