/**
 * Progressive enhancements for every page; the pages work without them.
 * - A "copy" button on each code block.
 */

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
