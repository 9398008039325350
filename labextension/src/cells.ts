/**
 * The notebook's cells and the kernel's modules agree: when a cell leaves the notebook
 * (deleted, cut), the kernel is told, and the functions a %%dataflow cell defined leave its
 * module, as if the cell had been run empty; when it comes back (undo), so does its code.
 *
 * JupyterLab does not say which cells a removal took (their models are gone by then), so the
 * ids the notebook holds are compared before and after each change of its list, once the
 * change is complete (a move removes and inserts one cell: it nets out).
 *
 * Each %%dataflow cell also carries a badge with the states of its nodes (✓ 2 fresh · ↻ 1
 * stale), asked of the kernel after every cell the notebook runs.
 */
import { Notification } from '@jupyterlab/apputils';
import { NotebookActions, NotebookPanel } from '@jupyterlab/notebook';

const DATAFLOW = /^\s*%%dataflow(\s|$)/;

/** The event the widget's "go to cell" sends (the same name as in labextension/widget/panel.ts:
 * the two bundles share no code). */
export const GO_TO_CELL = 'hamilton-nb:go-to-cell';

/** Follow the cells of ``panel`` for as long as it is open. */
export function followCells(panel: NotebookPanel): void {
  let known = new Set<string>();
  let scheduled = false;
  const compare = () => {
    scheduled = false;
    const cells = panel.content.model?.cells;
    if (!cells || panel.isDisposed) {
      return;
    }
    const now = new Set<string>();
    const dataflow: string[] = [];
    for (let i = 0; i < cells.length; i++) {
      const cell = cells.get(i);
      now.add(cell.id);
      if (!known.has(cell.id) && DATAFLOW.test(cell.sharedModel.getSource())) {
        dataflow.push(cell.id); // back in the notebook: the kernel knows if it deleted it
      }
    }
    const gone = [...known].filter(id => !now.has(id));
    known = now;
    tellKernel(panel, 'delete_cells', gone);
    tellKernel(panel, 'restore_cells', dataflow);
  };
  void panel.context.ready.then(() => {
    const cells = panel.content.model?.cells;
    if (!cells) {
      return;
    }
    for (let i = 0; i < cells.length; i++) {
      known.add(cells.get(i).id);
    }
    cells.changed.connect(() => {
      if (!scheduled) {
        scheduled = true;
        setTimeout(compare, 0);
      }
    });
  });
}

/**
 * Call ``hamilton_nb.jupyter.lab.<call>`` in the notebook's kernel, silently, and only where
 * hamilton_nb is loaded (a kernel without it is left alone); each line it prints goes to
 * ``heard``, and what it has to tell the user (the lines starting with DONE or REFUSED) is
 * shown as a notification.
 */
function askKernel(
  panel: NotebookPanel,
  call: string,
  heard: (line: string) => void = () => undefined
): void {
  const kernel = panel.sessionContext.session?.kernel;
  if (!kernel) {
    return;
  }
  const code = [
    'import sys as _hnb_sys',
    "if 'hamilton_nb.jupyter.registry' in _hnb_sys.modules:",
    `    __import__('hamilton_nb.jupyter.lab', fromlist=['lab']).${call}`,
    'del _hnb_sys'
  ].join('\n');
  const future = kernel.requestExecute({ code, silent: true, store_history: false });
  future.onIOPub = msg => {
    if (msg.header.msg_type !== 'stream') {
      return;
    }
    for (const line of (msg.content as { text: string }).text.split('\n')) {
      if (line.startsWith(REFUSED)) {
        Notification.warning(line.slice(REFUSED.length), { autoClose: 10000 });
      } else if (line.startsWith(DONE)) {
        Notification.info(line.slice(DONE.length), { autoClose: 4000 });
      }
      heard(line);
    }
  };
}

function tellKernel(panel: NotebookPanel, what: string, ids: string[]): void {
  if (ids.length > 0) {
    askKernel(panel, `${what}(${JSON.stringify(ids)})`);
    refreshBadges(panel);
  }
}

// how hamilton_nb/jupyter/lab.py starts the lines it prints
const DONE = 'hamilton_nb: ';
const REFUSED = 'hamilton_nb refused: ';
const STATES = 'hamilton_nb states: ';

/** Each state's icon (the widget's: labextension/widget/states.ts, in another bundle) and
 * colour; a cell's badge takes the colour of its worst state. */
const STATE_LOOKS: Record<string, [string, string]> = {
  failed: ['✗', '#c0392b'],
  stale: ['↻', '#b9770e'],
  'never run': ['○', '#777777'],
  'not cached (parallel block)': ['∥', '#8a6d3b'],
  fresh: ['✓', '#1e8449'],
  cached: ['●', '#2e6fd6']
};

/** Show, on each %%dataflow cell, its nodes' states; again after every cell the notebook runs. */
export function showStates(panel: NotebookPanel): void {
  const executed = (_: unknown, args: { notebook: unknown }) => {
    if (args.notebook === panel.content) {
      refreshBadges(panel);
    }
  };
  NotebookActions.executed.connect(executed);
  panel.disposed.connect(() => NotebookActions.executed.disconnect(executed));
}

const refreshing = new WeakSet<NotebookPanel>();

/** Ask the kernel for the cells' states (once for runs that end together) and badge them. */
function refreshBadges(panel: NotebookPanel): void {
  if (refreshing.has(panel)) {
    return;
  }
  refreshing.add(panel);
  setTimeout(() => {
    refreshing.delete(panel);
    askKernel(panel, 'cell_states()', line => {
      if (line.startsWith(STATES)) {
        badge(panel, JSON.parse(line.slice(STATES.length)));
      }
    });
  }, 50);
}

/** Put (or update, or take away) the badge of each cell: "✓ 2 fresh · ↻ 1 stale". */
function badge(panel: NotebookPanel, states: Record<string, Record<string, number>>): void {
  for (const cell of panel.content.widgets) {
    const counts = Object.hasOwn(states, cell.model.id) ? states[cell.model.id] : undefined;
    let element = cell.node.querySelector<HTMLElement>(':scope > .hnb-cell-badge');
    if (!counts || Object.keys(counts).length === 0) {
      element?.remove();
      continue;
    }
    if (!element) {
      element = document.createElement('div');
      element.className = 'hnb-cell-badge';
      element.style.cssText = 'font-size: 11px; text-align: right; padding: 0 8px;';
      cell.node.insertBefore(element, cell.node.firstChild);
    }
    const shown = Object.entries(counts); // worst first, as the kernel orders them
    element.textContent = shown
      .map(([state, n]) => `${STATE_LOOKS[state]?.[0] ?? ''} ${n} ${state}`)
      .join(' · ');
    element.style.color = STATE_LOOKS[shown[0][0]]?.[1] ?? '';
    element.dataset.worst = shown[0][0];
  }
}
