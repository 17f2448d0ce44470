/**
 * What classification needs of a client class (Kea's `client-classes` entry): its name, its parsed `test`, and
 * when it is evaluated. The compiled configuration's classes (mod/config's ClientClass4 and ClientClass6) carry
 * this and more (options, lifetimes, boot fields); classification reads only this, so classify stays below config.
 */
import type { BoolExpr, StrExpr } from "./expr/ast.ts";

/** A client class as the classifier sees it. */
export interface ClassDef {
  name: string;
  /** the parsed `test` (absent: the class is never assigned by evaluation) */
  test?: BoolExpr;
  /** the test refers to KNOWN/UNKNOWN (directly or through a class that does): evaluated after the host lookup */
  afterHost: boolean;
  /** `only-if-required` / `only-in-additional-list`: not evaluated with the others */
  additional: boolean;
  /**
   * Kea 2.6+'s `template-test` (instead of `test`): a string; when it is not empty the client joins this class and
   * the spawned class `SPAWN_<name>_<value>`
   */
  templateTest?: StrExpr;
}

/** The name of the class a template class spawns for a value (Kea's `SPAWN_<template>_<value>`). */
export function spawnedClass(template: string, value: string): string {
  return `SPAWN_${template}_${value}`;
}
