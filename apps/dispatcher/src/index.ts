export * from "./dispatcher";
export * from "./env";
export { createReceiver, type ReceivedDelivery, type Receiver } from "./receiver";
