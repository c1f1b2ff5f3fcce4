import { describe, expect, it } from 'vitest';
import { operatorTarget } from './operator-target.ts';

describe('operatorTarget', () => {
  it('finds the dev profile by itself', () => {
    const { profile, env, args } = operatorTarget(['list', 'rental.item-rented.v1'], {}, () => []);
    expect(profile).toBe('dev');
    expect(env).toMatchObject({
      DATABASE_URL: 'postgresql://bookrental:bookrental@127.0.0.1:15432/bookrental',
      KAFKA_BROKERS: '127.0.0.1:9092',
      TEMPORAL_ADDRESS: '127.0.0.1:7233',
      API_URL: 'http://127.0.0.1:3000',
    });
    expect(args).toEqual(['list', 'rental.item-rented.v1']);
  });

  it('takes another profile from --profile, in either spelling, and drops the flag', () => {
    const spaced = operatorTarget(['redrive', '--profile', 'test4', 'rental.item-rented.v1'], {});
    expect(spaced.profile).toBe('test4');
    expect(spaced.env).toMatchObject({
      DATABASE_URL: 'postgresql://bookrental:bookrental@127.0.0.1:15833/bookrental',
      KAFKA_BROKERS: '127.0.0.1:9494',
      TEMPORAL_ADDRESS: '127.0.0.1:7643',
      API_URL: 'http://127.0.0.1:3140',
    });
    expect(spaced.args).toEqual(['redrive', 'rental.item-rented.v1']);
    expect(operatorTarget(['--profile=test'], {}).env.KAFKA_BROKERS).toBe('127.0.0.1:9094');
  });

  it('finds the one profile that runs when dev does not, and asks when several do', () => {
    expect(operatorTarget([], {}, () => ['dev', 'test4']).profile).toBe('dev');
    expect(operatorTarget(['topics'], {}, () => ['test4']).profile).toBe('test4');
    expect(() => operatorTarget([], {}, () => ['test', 'test4'])).toThrow(/several profiles run here \(test, test4\)/);
    expect(operatorTarget(['--profile', 'test'], {}, () => ['test', 'test4']).profile).toBe('test');
    // Addresses set by hand name the system: nothing running is looked for.
    expect(operatorTarget([], { KAFKA_BROKERS: 'k1:9092' }, () => ['test', 'test4']).env.KAFKA_BROKERS).toBe('k1:9092');
  });

  it('lets variables set by hand win', () => {
    expect(operatorTarget([], { DATABASE_URL: 'postgresql://u:p@db.example/x', KAFKA_BROKERS: 'k1:9092,k2:9092' }).env).toMatchObject({
      DATABASE_URL: 'postgresql://u:p@db.example/x',
      KAFKA_BROKERS: 'k1:9092,k2:9092',
      TEMPORAL_ADDRESS: '127.0.0.1:7233',
    });
  });

  it('refuses an unknown profile', () => {
    expect(() => operatorTarget(['--profile', 'prod'], {})).toThrow(/unknown profile "prod"/);
  });
});
