/**
 * hamilton_nb in JupyterLab: one command, "Export dataflow to module", on the notebook
 * toolbar (declared in schema/plugin.json), in the File menu and in the command palette.
 *
 * A deleted %%dataflow cell leaves its module, and comes back with an undo (cells.ts).
 *
 * Export runs the notebook's code (the server replays its %%dataflow cells), so a notebook
 * whose code cells are not trusted (not signed by this user, not run in this session) is
 * exported only after the user agrees in a dialog.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  Dialog,
  ICommandPalette,
  Notification,
  showDialog,
  showErrorMessage
} from '@jupyterlab/apputils';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { pythonIcon } from '@jupyterlab/ui-components';

import { GO_TO_CELL, followCells, showStates } from './cells';
import { APIError, requestAPI } from './handler';

const COMMAND = 'hamilton-nb:export';

/** What the server wrote; paths are relative to the server's root. */
interface IExportReply {
  path: string;
  module: string;
  tests_path: string | null;
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'hamilton-nb:plugin',
  description:
    "Export a notebook's %%dataflow cells to a plain Hamilton module in one click.",
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    palette: ICommandPalette | null
  ) => {
    const running = new Set<string>(); // notebook panels being exported: one export at a time
    app.commands.addCommand(COMMAND, {
      label: 'Export dataflow to module',
      caption:
        "Save the notebook and write its %%dataflow cells as a Hamilton module (.py) beside it",
      icon: args => (args.toolbar ? pythonIcon : undefined),
      isEnabled: () =>
        tracker.currentWidget !== null && !running.has(tracker.currentWidget.id),
      execute: async () => {
        const panel = tracker.currentWidget;
        if (!panel || running.has(panel.id)) {
          return;
        }
        running.add(panel.id);
        app.commands.notifyCommandChanged(COMMAND);
        try {
          await exportNotebook(app, panel);
        } finally {
          running.delete(panel.id);
          app.commands.notifyCommandChanged(COMMAND);
        }
      }
    });
    palette?.addItem({ command: COMMAND, category: 'Hamilton' });
    // the widget's "go to cell" (labextension/widget/panel.ts): the notebook scrolls to it
    document.body.dataset.hamiltonNb = 'lab';
    document.addEventListener(GO_TO_CELL, event => {
      const { cell } = (event as CustomEvent<{ cell: string }>).detail;
      const panel =
        tracker.find(p => p.node.contains(event.target as Node)) ?? tracker.currentWidget;
      const index = panel?.content.widgets.findIndex(c => c.model.id === cell) ?? -1;
      if (panel && index >= 0) {
        panel.content.activeCellIndex = index;
        void panel.content.scrollToCell(panel.content.widgets[index], 'center');
      }
    });
    tracker.widgetAdded.connect((_, panel) => {
      followCells(panel);
      showStates(panel);
    });
  }
};

/**
 * Save the notebook, ask the server to export it, and tell the user what happened.
 */
async function exportNotebook(
  app: JupyterFrontEnd,
  panel: NotebookPanel
): Promise<void> {
  const path = app.serviceManager.contents.localPath(panel.context.path);
  await panel.context.ready;
  // asked before saving: saving a notebook without outputs signs it, trusted or not
  const untrusted = untrustedCells(panel);
  const trust = untrusted > 0;
  if (trust && !(await confirmRunUntrusted(path, untrusted))) {
    return;
  }
  const pending = Notification.emit(`Exporting ${path}…`, 'in-progress', {
    autoClose: false
  });
  let reply: IExportReply | null;
  try {
    await panel.context.save();
    reply = await requestExport(app, path, pending, trust);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    Notification.error(`Export failed: ${message}`, {
      autoClose: false,
      actions: [
        { label: 'Details', callback: () => showErrorMessage('Export failed', message) }
      ]
    });
    return;
  } finally {
    Notification.dismiss(pending);
  }
  if (reply) {
    const written = reply.path;
    Notification.success(`Exported ${reply.module} to ${written}`, {
      autoClose: 8000,
      actions: [
        {
          label: 'Open',
          callback: () => app.commands.execute('docmanager:open', { path: written })
        }
      ]
    });
  }
}

/**
 * POST the export; a file that hamilton_nb did not write (or that was edited since) is
 * replaced only if the user says so, and a notebook the server finds untrusted is replayed
 * only if the user says so. Null when the user declines.
 */
async function requestExport(
  app: JupyterFrontEnd,
  path: string,
  pending: string,
  trust: boolean
): Promise<IExportReply | null> {
  const post = (force: boolean, trust: boolean) =>
    requestAPI<IExportReply>(
      'export',
      {
        method: 'POST',
        body: JSON.stringify({ path, module: null, force, tests: false, trust })
      },
      app.serviceManager.serverSettings
    );
  let force = false;
  for (;;) {
    try {
      return await post(force, trust);
    } catch (error) {
      if (!(error instanceof APIError)) {
        throw error;
      }
      Notification.dismiss(pending);
      if (error.status === 409 && !force) {
        if (!(await confirmReplace(error))) {
          return null;
        }
        force = true;
      } else if (error.status === 403 && error.body.untrusted === true && !trust) {
        if (!(await confirmRunUntrusted(path, null))) {
          return null;
        }
        trust = true;
      } else {
        throw error;
      }
    }
  }
}

/** How many code cells of the notebook are not trusted. */
function untrustedCells(panel: NotebookPanel): number {
  let count = 0;
  for (const cell of panel.content.model?.cells ?? []) {
    if (cell.type === 'code' && !cell.trusted) {
      count += 1;
    }
  }
  return count;
}

/** Ask whether to run the code of an untrusted notebook to export it. */
async function confirmRunUntrusted(path: string, cells: number | null): Promise<boolean> {
  const which =
    cells === null ? 'This notebook is' : `${cells} code cell${cells === 1 ? ' is' : 's are'}`;
  const result = await showDialog({
    title: `Run the code of ${path} to export it?`,
    body:
      'Export runs the notebook\'s code: the server replays its %%dataflow cells. ' +
      `${which} not trusted (not signed by your Jupyter, nor run in this session). ` +
      'Export it only if you trust its code.',
    buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Run and export' })]
  });
  return result.button.accept;
}

/** Ask whether to replace the file the server refused to overwrite. */
async function confirmReplace(refusal: APIError): Promise<boolean> {
  const target = refusal.body.path;
  const result = await showDialog({
    title: target ? `Replace ${target}?` : 'Replace the existing module?',
    body:
      'It was not written by hamilton_nb, or it was edited since: ' +
      'replacing it discards what it holds now.',
    buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Replace' })]
  });
  return result.button.accept;
}

export default plugin;
