// SIGTERM and clean exits: a program asked to stop (World.terminate) stops itself when it is done
// (NodeContext.exit), a paused one takes the signal when it runs again, one that dies first never exits; a clean
// exit delivers what the program sent before it, and a replaced disk comes back blank.
import { describe, expect, it } from 'vitest';
import type { NodeContext, Program } from '../../../sim/world/index.ts';
import { World } from '../../../sim/world/index.ts';

/** A program that, asked to stop, says goodbye to `peer` and exits `delayMs` later. */
function polite(events: string[], world: () => World, delayMs: number) {
  return (ctx: NodeContext): Program => ({
    onMessage() {},
    onTerminate() {
      events.push(`terminate at=${world().now}`);
      ctx.setTimer(delayMs, () => {
        ctx.send('peer', 'goodbye');
        ctx.exit();
      });
    },
    onShutdown() {
      events.push(`shutdown at=${world().now}`);
    },
  });
}

function world(events: string[], delayMs: number): World {
  const w = new World({ seed: 1, defaultLatency: { kind: 'constant', ms: 5 } });
  w.addNode(
    'n',
    polite(events, () => w, delayMs),
  );
  w.addNode('peer', () => ({ onMessage: (from, msg) => events.push(`peer got ${String(msg)} at=${w.now}`) }));
  w.start('n');
  w.start('peer');
  return w;
}

describe('terminate', () => {
  it('lets the program stop in its own time; what it sent last still arrives; onExit runs once', () => {
    const events: string[] = [];
    const w = world(events, 100);
    let exits = 0;
    w.runUntil(10);
    w.terminate('n', () => {
      exits++;
      events.push(`exited at=${w.now}`);
    });
    w.runUntil(200);
    expect(events).toEqual(['terminate at=10', 'shutdown at=110', 'exited at=110', 'peer got goodbye at=115']);
    expect(w.node('n').status).toBe('down');
    expect(exits).toBe(1);
  });

  it('reaches a paused process when it resumes', () => {
    const events: string[] = [];
    const w = world(events, 0);
    w.pause('n');
    w.terminate('n');
    w.runUntil(50);
    expect(events).toEqual([]);
    w.resume('n');
    w.runUntil(100);
    expect(events).toEqual(['terminate at=50', 'shutdown at=50', 'peer got goodbye at=55']);
  });

  it('never calls onExit for a process that crashes before it exits', () => {
    const events: string[] = [];
    const w = world(events, 100);
    let exited = false;
    w.terminate('n', () => (exited = true));
    w.runUntil(50);
    w.crash('n');
    w.start('n');
    w.runUntil(300);
    expect(exited).toBe(false);
    expect(w.node('n').status).toBe('running');
  });

  it('shuts a program without onTerminate down at once', () => {
    const w = new World({ seed: 1 });
    let shutdowns = 0;
    w.addNode('n', () => ({ onMessage() {}, onShutdown: () => shutdowns++ }));
    w.start('n');
    w.terminate('n');
    w.runUntil(1);
    expect([shutdowns, w.node('n').status]).toEqual([1, 'down']);
  });
});

describe('Disk.replace', () => {
  it('leaves a blank disk, synced files and all, and counts the replacement', () => {
    const w = new World({ seed: 1 });
    w.addNode('n', (ctx) => {
      ctx.disk.writeAtomic('meta', 'x');
      ctx.disk.append('log', 'abc');
      return { onMessage() {} };
    });
    w.start('n');
    w.shutdown('n');
    const disk = w.node('n').disk;
    expect(disk.list()).toEqual(['meta', 'log']);
    disk.replace();
    expect([disk.list(), disk.replacements]).toEqual([[], 1]);
  });
});
