/**
 * Progressive enhancements for every page; the pages work without them.
 * - A "copy" button on each code block.
 * - The header's unread notifications count (notifications-count.ts).
 */
import './notifications-count.ts';

interface Strings {
  copy: string;
  copied: string;
}

function readStrings(): Strings {
  const element = document.getElementById('carnet-strings');
  try {
    return JSON.parse(element?.textContent ?? '{}') as Strings;
  } catch {
    return { copy: 'Copy', copied: 'Copied' };
  }
}

function addCopyButtons(strings: Strings): void {
  if (!navigator.clipboard) return;
  for (const pre of document.querySelectorAll<HTMLPreElement>('pre.code')) {
    const wrap = document.createElement('div');
    wrap.className = 'code-wrap';
    pre.replaceWith(wrap);
    wrap.append(pre);
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'copy-button';
    button.textContent = strings.copy;
    button.addEventListener('click', () => {
      void navigator.clipboard.writeText(pre.textContent ?? '').then(() => {
        button.textContent = strings.copied;
        setTimeout(() => (button.textContent = strings.copy), 1500);
      });
    });
    wrap.append(button);
  }
}

addCopyButtons(readStrings());

/**
 * Code blocks, wide tables and formulas scroll sideways on small screens: make those that do
 * overflow reachable with the keyboard (WCAG: scrollable regions must be focusable).
 */
function focusableScrollers(): void {
  for (const element of document.querySelectorAll<HTMLElement>('pre, .math-display, .nb-markdown table, .nb-rich')) {
    const scrolls = element.scrollWidth > element.clientWidth + 1;
    if (scrolls && !element.hasAttribute('tabindex')) element.tabIndex = 0;
    else if (!scrolls && element.tabIndex === 0) element.removeAttribute('tabindex');
  }
}

focusableScrollers();
let resizeTimer: ReturnType<typeof setTimeout> | undefined;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(focusableScrollers, 200);
});

/** Print buttons (a certificate's page): hidden without JavaScript, where the browser's menu prints. */
for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-print]')) {
  button.hidden = false;
  button.addEventListener('click', () => window.print());
}
