import { describe, expect, it } from 'vitest';
import { deviceText } from '../src/index.js';

describe('deviceText', () => {
  it('words the recorded device values for the card', () => {
    expect(deviceText({ device: 'cpu', requestedDevice: 'cpu', deviceFallbacks: [] })).toBe('cpu');
    expect(deviceText({ device: 'cuda', requestedDevice: 'auto', deviceFallbacks: [] })).toBe('cuda (requested auto)');
    expect(deviceText({ device: 'cpu', requestedDevice: 'auto', deviceFallbacks: [{ device: 'cuda', reason: 'no provider' }, { device: 'webgpu', reason: 'no adapter' }] })).toBe(
      'cpu (requested auto; cuda: no provider; webgpu: no adapter)',
    );
    expect(deviceText({ device: null, requestedDevice: 'cuda' })).toBe('none: every prompt came from the cache (requested cuda)');
    // A run.json written before the device was recorded as values.
    expect(deviceText({ device: 'cuda:0' })).toBe('cuda:0');
    expect(deviceText({})).toBeNull();
  });
});
