import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { answerInput, INPUT_CAPACITY, isWorkerMessage, waitForInput } from './protocol.ts';

const inputBuffer = (): SharedArrayBuffer => new SharedArrayBuffer(8 + INPUT_CAPACITY);

describe('input() through shared memory', () => {
  it('carries an answer, UTF-8 included, and resets for the next one', () => {
    const buffer = inputBuffer();
    answerInput(buffer, 'Zoé 🐍');
    expect(waitForInput(buffer)).toBe('Zoé 🐍');
    answerInput(buffer, '');
    expect(waitForInput(buffer)).toBe('');
  });

  it('carries a cancellation as null', () => {
    const buffer = inputBuffer();
    answerInput(buffer, null);
    expect(waitForInput(buffer)).toBeNull();
  });

  it('blocks a thread until the answer comes', async () => {
    const buffer = inputBuffer();
    // The worker side, as in the browser: a synchronous wait (same algorithm as waitForInput).
    const worker = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       const header = new Int32Array(workerData, 0, 2);
       parentPort.postMessage({ waiting: true });
       const started = Date.now();
       while (Atomics.load(header, 0) === 0) Atomics.wait(header, 0, 0, 1000);
       const text = new TextDecoder().decode(new Uint8Array(workerData, 8, Atomics.load(header, 1)).slice());
       parentPort.postMessage({ text, waited: Date.now() - started });`,
      { eval: true, workerData: buffer },
    );
    const messages: { waiting?: boolean; text?: string; waited?: number }[] = [];
    const reply = new Promise<{ text: string; waited: number }>((resolve) =>
      worker.on('message', (message: { text?: string; waited?: number }) => {
        messages.push(message);
        if (message.text !== undefined) resolve(message as { text: string; waited: number });
      }),
    );
    // Only once the worker waits (a loaded machine may start it late) does the answer come, later.
    while (messages.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 150));
    answerInput(buffer, 'réponse');
    const { text, waited } = await reply;
    await worker.terminate();
    expect(text).toBe('réponse');
    expect(waited).toBeGreaterThanOrEqual(100);
  });
});

describe('isWorkerMessage', () => {
  it('accepts the protocol messages and rejects the rest', () => {
    expect(isWorkerMessage({ type: 'ready', python: '3.14', pyodide: '314', isolated: true })).toBe(true);
    expect(isWorkerMessage({ type: 'done', runId: 1, status: 'ok' })).toBe(true);
    expect(isWorkerMessage({ type: 'eval', code: 'x' })).toBe(false);
    expect(isWorkerMessage(null)).toBe(false);
    expect(isWorkerMessage('ready')).toBe(false);
  });
});
