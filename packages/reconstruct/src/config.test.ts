import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig, readConfigFile, PROFILES, dataSourceKind } from './config.js';
import { isReconstructError, ConfigError } from './errors.js';

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (isReconstructError(e, 'ConfigError')) return e as ConfigError;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('resolveConfig', () => {
  it('fills missing keys from the named profile', () => {
    const c = resolveConfig({ profile: 'smoke', train: { epochs: 2 } });
    expect(c.train.epochs).toBe(2);
    expect(c.train.maxStepsPerEpoch).toBe(PROFILES.smoke.train.maxStepsPerEpoch);
    expect(c.models.preset).toBe('tiny');
    expect(c.models.names).toEqual(['seunet', 'pix2pix', 'dcae', 'convlstm']);
    expect(dataSourceKind(c)).toBe('synthetic');
  });
  it('paper profile has the paper hyper-parameters', () => {
    const c = resolveConfig({}, { profile: 'paper' });
    expect([c.train.epochs, c.train.batchSize, c.train.learningRate, c.models.preset]).toEqual([100, 1, 0.01, 'paper']);
  });
  it('names the key path of a wrong value', () => {
    const e = configError(() => resolveConfig({ train: { epochs: 'x' } }));
    expect(e.keyPath).toBe('train.epochs');
    expect(e.message).toBe('train.epochs: expected integer ≥ 1, got "x"');
    expect(configError(() => resolveConfig({ train: { epochs: 0 } })).keyPath).toBe('train.epochs');
    expect(configError(() => resolveConfig({ models: { names: ['seunet', 'unet'] } })).keyPath).toBe('models.names[1]');
    expect(configError(() => resolveConfig({ evaluate: { mapMonths: ['2003-13'] } })).keyPath).toBe(
      'evaluate.mapMonths[0]',
    );
  });
  it('rejects unknown keys at both levels', () => {
    expect(configError(() => resolveConfig({ trian: {} })).keyPath).toBe('trian');
    expect(configError(() => resolveConfig({ train: { epoch: 3 } })).message).toMatch(
      /^train\.epoch: unknown key; expected one of epochs,/,
    );
  });
  it('checks cross-field rules', () => {
    expect(configError(() => resolveConfig({ data: { lsm: 'emulate' } })).keyPath).toBe('data.lsm');
    expect(configError(() => resolveConfig({ data: { grace: ['g.nc'] } })).keyPath).toBe('data.lsm');
    expect(configError(() => resolveConfig({ data: { start: '2010-01', end: '2009-01' } })).keyPath).toBe('data.end');
    expect(configError(() => resolveConfig({ models: { names: ['seunet'] } })).keyPath).toBe('hindcast.model');
    expect(resolveConfig({ models: { names: ['seunet'] }, hindcast: { model: 'seunet' } }).hindcast.model).toBe(
      'seunet',
    );
    expect(dataSourceKind(resolveConfig({ data: { grace: ['g.nc'], lsm: 'emulate' } }))).toBe('emulate');
    expect(dataSourceKind(resolveConfig({ data: { grace: ['g.nc'], lsm: ['l'] } }))).toBe('files');
  });
  it("hindcast.steps: calendar months by default, the paper's 30-day windows on request, nothing else", () => {
    expect(resolveConfig({}).hindcast.steps).toBe('calendar-month');
    expect(resolveConfig({ hindcast: { steps: 'paper-30day' } }).hindcast.steps).toBe('paper-30day');
    expect(configError(() => resolveConfig({ hindcast: { steps: 'monthly' } })).message).toMatch(
      /^hindcast\.steps: expected one of "calendar-month", "paper-30day", got "monthly"/,
    );
  });
  it('rejects a non-mapping document', () => {
    expect(configError(() => resolveConfig([1, 2])).keyPath).toBe('');
    expect(configError(() => resolveConfig({ data: 3 })).keyPath).toBe('data');
  });
});

describe('readConfigFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'twsa-config-'));
  it('reads YAML and JSON', () => {
    writeFileSync(join(dir, 'c.yaml'), 'profile: smoke\ntrain:\n  epochs: 3\n');
    writeFileSync(join(dir, 'c.json'), '{"seed": 7}');
    expect(resolveConfig(readConfigFile(join(dir, 'c.yaml'))).train.epochs).toBe(3);
    expect(resolveConfig(readConfigFile(join(dir, 'c.json'))).seed).toBe(7);
  });
  it('reports a missing or malformed file', () => {
    expect(() => readConfigFile(join(dir, 'nope.yaml'))).toThrow(/Cannot read config file/);
    writeFileSync(join(dir, 'bad.json'), '{');
    expect(() => readConfigFile(join(dir, 'bad.json'))).toThrow(/not valid JSON/);
    writeFileSync(join(dir, 'c.txt'), '');
    expect(() => readConfigFile(join(dir, 'c.txt'))).toThrow(/must end in/);
  });
});
