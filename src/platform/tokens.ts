import type { InjectionToken } from 'tsyringe';
import type { Clock } from './clock';
import type { Logger } from './logger';

/**
 * DI tokens for the shared ports. Ports are tokens, so the composition root swaps a clock, logger,
 * transport or provider by configuration. (Only this file, module entry classes and main.ts touch tsyringe.)
 */
export const CLOCK: InjectionToken<Clock> = Symbol('Clock');
export const LOGGER: InjectionToken<Logger> = Symbol('Logger');
export const EVENT_BUS = Symbol('EventBus');
export const CONFIG = Symbol('Config');
export const PAYMENT_GATEWAY = Symbol('PaymentGateway');
/** `(name) => Publisher`: what a module's outbox relay publishes through (the bus, wrapped with metrics and spans by the root). */
export const OUTBOX_PUBLISHER = Symbol('OutboxPublisher');
