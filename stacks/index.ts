// The Pulumi program of every orderflow stack: the stack's name says which environment and domain it is.
import { runStack } from "./program";

export = runStack;
