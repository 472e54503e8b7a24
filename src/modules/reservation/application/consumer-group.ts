/** The reservation module's consumer group: its inbox records and dead letters carry this name. */
export const RESERVATION_GROUP = 'reservation';
