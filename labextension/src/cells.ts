/**
 * The notebook's cells and the kernel's modules agree: when a cell leaves the notebook
 * (deleted, cut), the kernel is told, and the functions a %%dataflow cell defined leave its
 * module, as if the cell had been run empty; when it comes back (undo), so does its code.
 *
 * JupyterLab does not say which cells a removal took (their models are gone by then), so the
 * ids the notebook holds are compared before and after each change of its list, once the
 * change is complete (a move removes and inserts one cell: it nets out).
 */
import { Notification } from '@jupyterlab/apputils';
import { NotebookPanel } from '@jupyterlab/notebook';

const DATAFLOW = /^\s*%%dataflow(\s|$)/;

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
 * Call ``hamilton_nb.jupyter.lab.<what>(ids)`` in the notebook's kernel, silently, and only
 * where hamilton_nb is loaded (a kernel without it is left alone).
 */
function tellKernel(panel: NotebookPanel, what: string, ids: string[]): void {
  const kernel = panel.sessionContext.session?.kernel;
  if (ids.length === 0 || !kernel) {
    return;
  }
  const code = [
    'import sys as _hnb_sys',
    "if 'hamilton_nb.jupyter.registry' in _hnb_sys.modules:",
    `    __import__('hamilton_nb.jupyter.lab', fromlist=['lab']).${what}(${JSON.stringify(ids)})`,
    'del _hnb_sys'
  ].join('\n');
  const future = kernel.requestExecute({ code, silent: true, store_history: false });
  future.onIOPub = msg => {
    if (msg.header.msg_type !== 'stream') {
      return;
    }
    for (const line of (msg.content as { text: string }).text.split('\n')) {
      if (line.startsWith(KEPT)) {
        Notification.warning(line.slice(KEPT.length), { autoClose: 10000 });
      } else if (line.startsWith(DONE)) {
        Notification.info(line.slice(DONE.length), { autoClose: 4000 });
      }
    }
  };
}

// how hamilton_nb/jupyter/lab.py starts the lines it prints, to be shown to the user
const DONE = 'hamilton_nb: ';
const KEPT = 'hamilton_nb refused: ';
