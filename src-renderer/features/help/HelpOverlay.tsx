import { SHORTCUTS } from '../../app/shortcuts';
import { Dialog } from '../../ui/Dialog';

export function HelpOverlay({ onClose }: { onClose: () => void }) {
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose} testId="help-overlay">
      <table className="table shortcuts-table">
        <tbody>
          {SHORTCUTS.map((shortcut) => (
            <tr key={shortcut.keys}>
              <td className="shortcut-keys">
                {shortcut.keys.split(' / ').map((key) => (
                  <kbd key={key}>{key}</kbd>
                ))}
              </td>
              <td>{shortcut.does}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted help-note">Shortcuts are off while you type in a field; Esc always closes dialogs.</p>
    </Dialog>
  );
}
